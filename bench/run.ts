/**
 * `npm run bench`: the speed and memory of letterpress at archive scale, on
 * this machine. Order: generate a synthetic ten-year archive (bench/generate.ts)
 * into a temporary folder, then time the CLI as a user runs it, each step in
 * a new process: a cold full build, an unchanged rebuild, a rebuild after
 * one new daily issue, a rebuild after editing one template (the quick
 * steps five times, their median shown); then sending one issue through an
 * SMTP server on 127.0.0.1 (bench/send.ts), beside a plain Nodemailer pool
 * (twice). Prints a table and writes the figures as JSON
 * (bench-results.json, or the path in BENCH_OUT).
 *
 * BENCH_ISSUES=400 npm run bench measures a smaller archive;
 * BENCH_SEND_SIZES=1000 sends to that many subscribers only (the baseline
 * runs beside a send to 10,000).
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { generateArchive, TEN_YEARS } from "./generate.js";
import { measureCli, repoRoot, type Measurement } from "./measure.js";
import { benchSend, type SendBenchResult, type SendFigures } from "./send.js";

const SEND_SIZES = process.env.BENCH_SEND_SIZES?.split(",").map(Number).filter((n) => n > 0) ?? [TEN_YEARS.subscribers, TEN_YEARS.subscribers, 1_000, 100_000];
/** Runs of the quick steps (unchanged rebuild, new issue), of which the median is shown. */
const REPEATS = 5;

const issueCount = Number(process.env.BENCH_ISSUES ?? TEN_YEARS.issues);
const dir = await mkdtemp(join(tmpdir(), "letterpress-bench-"));
const rows: Measurement[] = [];
const note = (line: string) => process.stderr.write(`${line}\n`);

try {
  note(`generating ${issueCount} issues into ${dir} …`);
  const archive = await generateArchive(dir, { ...TEN_YEARS, issues: issueCount });
  const templates = join(dir, "templates");
  await cp(join(repoRoot, "templates"), templates, { recursive: true });
  const config = JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")) as Record<string, unknown>;
  await writeFile(join(dir, "letterpress.config.json"), JSON.stringify({ ...config, templates, database: join(dir, "letterpress.db") }));
  const build = ["build", "--issues", archive.issuesDir, "--out", join(dir, "out")];
  /** Runs one step `times` times and keeps the median run (the list of all runs goes into the JSON): this machine's speed wanders by a quarter from minute to minute. */
  const step = async (label: string, args: string[], times = 1, between?: () => Promise<void>, before?: () => Promise<void>) => {
    note(`${label} …`);
    const runs: Measurement[] = [];
    for (let i = 0; i < times; i++) {
      await before?.();
      runs.push(await measureCli(label, args, dir));
      if (i < times - 1) await between?.();
    }
    const median = [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor((runs.length - 1) / 2)]!;
    rows.push({ label, wallMs: median.wallMs, peakRssMiB: median.peakRssMiB, ...(times > 1 ? { extra: { runs: runs.map((r) => (r.wallMs / 1000).toFixed(2)).join(" ") } } : {}) });
  };

  await step("cold full build", build);
  await step("unchanged rebuild", build, REPEATS);
  const last = archive.dates.at(-1)!;
  const next = new Date(Date.parse(`${last}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const lastFile = (await readdir(archive.issuesDir)).find((n) => n.startsWith(last) && /\.(txt|md)$/u.test(n))!;
  const newFile = join(archive.issuesDir, `${next}${lastFile.slice(10)}`);
  // Each run adds the day's issue to the archive as the last build left it; between runs it is taken out again (not measured).
  await step(
    "rebuild after one new issue",
    build,
    REPEATS,
    async () => {
      await rm(newFile);
      await measureCli("taking the new issue out", build, dir);
    },
    () => cp(join(archive.issuesDir, lastFile), newFile),
  );
  const footer = join(templates, "partials", "footer.mjml");
  await writeFile(footer, `${await readFile(footer, "utf8")}\n<!-- edited by the benchmark -->\n`);
  await step("rebuild after editing a template", build);

  // Sending: 10,000 subscribers against the plain Nodemailer pool (twice, the
  // ratio of each pair reported), then 1,000 and 100,000 without it, to see
  // whether memory stays flat.
  const sends: SendBenchResult[] = [];
  for (const subscribers of SEND_SIZES) {
    note(`send to ${subscribers} subscribers …`);
    sends.push(await benchSend({ subscribers, workDir: join(dir, `send-${subscribers}-${sends.length}`), baseline: subscribers === TEN_YEARS.subscribers }));
  }

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version, issues: issueCount };
  console.log(`letterpress bench: ${machine.issues} issues; ${machine.cores} cores (${machine.cpu}); Node ${machine.node}`);
  console.log("| step | wall (median) | peak memory | every run |");
  console.log("|---|---:|---:|---|");
  for (const r of rows) console.log(`| ${r.label} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${r.extra?.runs ?? ""} |`);
  console.log("");
  console.log("| send | subscribers | messages/s | peak memory | sender CPU (user) | sink server CPU |");
  console.log("|---|---:|---:|---:|---:|---:|");
  const sendRow = (who: string, n: number, f: SendFigures) =>
    console.log(`| ${who} | ${n} | ${f.messagesPerSecond.toFixed(0)} | ${f.peakRssMiB.toFixed(0)} MiB | ${f.userCpuSeconds.toFixed(1)} s | ${f.serverCpuSeconds.toFixed(1)} s |`);
  for (const result of sends) {
    sendRow("letterpress send", result.subscribers, result.letterpress);
    if (result.nodemailerBaseline.messages > 0) {
      sendRow("plain Nodemailer pool", result.subscribers, result.nodemailerBaseline);
      console.log(`| ratio | | ${(result.letterpress.messagesPerSecond / result.nodemailerBaseline.messagesPerSecond).toFixed(2)}× | | | |`);
    }
  }
  const outFile = process.env.BENCH_OUT ?? join(repoRoot, "bench-results.json");
  await writeFile(outFile, `${JSON.stringify({ machine, build: rows, send: sends }, null, 2)}\n`);
  console.log(`figures: ${outFile}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
