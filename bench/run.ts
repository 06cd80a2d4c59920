/**
 * `npm run bench`: the speed and memory of letterpress at archive scale, on
 * this machine. Order: generate a synthetic ten-year archive (bench/generate.ts)
 * into a temporary folder, then time the CLI as a user runs it, each step in
 * a new process: a cold full build, an unchanged rebuild, a rebuild after
 * one new daily issue, a rebuild after editing one template; then the send
 * benchmark (bench/send.ts) when it is present. Prints a table and writes
 * the figures as JSON (bench-results.json, or the path in BENCH_OUT).
 *
 * BENCH_ISSUES=400 npm run bench measures a smaller archive.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { generateArchive, TEN_YEARS } from "./generate.js";
import { measureCli, repoRoot, type Measurement } from "./measure.js";

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
  const step = async (label: string, args: string[]) => {
    note(`${label} …`);
    const m = await measureCli(label, args, dir);
    rows.push({ label: m.label, wallMs: m.wallMs, peakRssMiB: m.peakRssMiB });
  };

  await step("cold full build", build);
  await step("unchanged rebuild", build);
  const last = archive.dates.at(-1)!;
  const next = new Date(Date.parse(`${last}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const lastFile = (await readdir(archive.issuesDir)).find((n) => n.startsWith(last) && /\.(txt|md)$/u.test(n))!;
  await cp(join(archive.issuesDir, lastFile), join(archive.issuesDir, `${next}${lastFile.slice(10)}`));
  await step("rebuild after one new issue", build);
  const footer = join(templates, "partials", "footer.mjml");
  await writeFile(footer, `${await readFile(footer, "utf8")}\n<!-- edited by the benchmark -->\n`);
  await step("rebuild after editing a template", build);

  // bench/send.ts (the delivery benchmark) is optional here, so this file runs without it.
  const sendModule = "./send.js";
  const sendBench: unknown = await import(sendModule).catch(() => undefined);
  let send: unknown;
  if (sendBench && typeof sendBench === "object" && "benchSend" in sendBench) {
    note("send …");
    send = await (sendBench as { benchSend: (o: { subscribers: number; workDir: string }) => Promise<unknown> }).benchSend({ subscribers: TEN_YEARS.subscribers, workDir: dir });
  }

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? "?", node: process.version, issues: issueCount, entries: undefined as number | undefined };
  console.log(`letterpress bench: ${machine.issues} issues; ${machine.cores} cores (${machine.cpu}); Node ${machine.node}`);
  console.log("| step | wall | peak memory |");
  console.log("|---|---:|---:|");
  for (const r of rows) console.log(`| ${r.label} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.peakRssMiB.toFixed(0)} MiB |`);
  if (send) console.log(`send: ${JSON.stringify(send)}`);
  const outFile = process.env.BENCH_OUT ?? join(repoRoot, "bench-results.json");
  await writeFile(outFile, `${JSON.stringify({ machine, build: rows, send }, null, 2)}\n`);
  console.log(`figures: ${outFile}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
