import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/load.js";
import { loadIssues } from "../src/parse/index.js";
import { renderNewsletter } from "../src/render/email.js";
import { SubscriberStore, openDatabase } from "../src/subscribers/store.js";
import { repoRoot } from "./measure.js";

/**
 * The send half of `npm run bench` (issue 6): one issue to N subscribers
 * through an SMTP server on 127.0.0.1, by `letterpress send` (ledger on) and,
 * in the same run, by a plain Nodemailer pool composing every message itself
 * (the baseline the issue's figures come from).
 *
 * Both senders run as their own processes with bench/report-usage.cjs
 * preloaded, so peak memory and CPU time are theirs alone. The sink server is
 * a third process: on a 2-core machine it still competes with the sender for
 * CPU (its dot-unstuffing and parsing cost about as much as sending), so
 * `serverCpuSeconds` is reported beside each run.
 */
export interface SendFigures {
  /** Messages the server confirmed, per second, from the first to the last message the sink received. */
  messagesPerSecond: number;
  peakRssMiB: number;
  /** Wall time of the whole process, from spawn to exit (start-up, rendering and the database included). */
  seconds: number;
  /** The sender's CPU time (user, system). */
  userCpuSeconds: number;
  systemCpuSeconds: number;
  /** The sink server's CPU time during this run. */
  serverCpuSeconds: number;
  /** Messages the sink received (must equal the subscribers). */
  messages: number;
  /** Average size on the wire. */
  averageBytes: number;
}

export interface SendBenchResult {
  subscribers: number;
  letterpress: SendFigures;
  nodemailerBaseline: SendFigures;
}

export interface SendBenchOptions {
  subscribers: number;
  /** Scratch folder: config, database and the issue go here; removed by the caller. */
  workDir: string;
  /** The issue sent; default the sample. */
  issueDate?: string;
  /** Skip the baseline (it is slow at 100,000). */
  baseline?: boolean;
}

const SAMPLE_DATE = "2020-10-30";

export async function benchSend(options: SendBenchOptions): Promise<SendBenchResult> {
  const { subscribers, workDir } = options;
  const issueDate = options.issueDate ?? SAMPLE_DATE;
  await mkdir(workDir, { recursive: true });
  const sink = await startSinkServer();
  try {
    const database = join(workDir, "bench.db");
    await rm(database, { force: true });
    await rm(`${database}-wal`, { force: true });
    await rm(`${database}-shm`, { force: true });
    const configFile = join(workDir, "letterpress.config.json");
    const configJson = {
      site: { title: "爱可可 AI 前沿推介", url: "https://example.org/digest/", language: "zh-CN", timezone: "Asia/Shanghai" },
      email: { from: "AI Digest <digest@example.org>", replyTo: "editor@example.org", listId: "digest.example.org" },
      transport: `smtp://127.0.0.1:${sink.port}`,
      secret: "a bench secret that is long enough",
      database,
      smtp: { maxConnections: 5, maxMessages: 100_000 },
      send: { retries: 2, backoffMs: 100, maxBackoffMs: 1000 },
    };
    await writeFile(configFile, JSON.stringify(configJson, null, 2));

    const db = openDatabase(database);
    const store = new SubscriberStore(db);
    const chunk = 10_000;
    for (let start = 0; start < subscribers; start += chunk) {
      store.importSubscribers(Array.from({ length: Math.min(chunk, subscribers - start) }, (_, k) => ({ email: `reader${start + k}@example.org`, name: `Reader ${start + k}, "读者"` })));
    }
    db.close();

    const issuesDir = join(repoRoot, "issues");
    const letterpress = await measured(
      sink,
      subscribers,
      // BENCH_SEND_PROFILE=DIR: write a CPU profile of the send there (node --cpu-prof);
      // BENCH_SEND_NODE_OPTIONS: more options for its node (e.g. --max-old-space-size=64).
      [
        ...(process.env.BENCH_SEND_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_SEND_PROFILE] : []),
        ...(process.env.BENCH_SEND_NODE_OPTIONS?.split(/\s+/u).filter(Boolean) ?? []),
        "--require", join(repoRoot, "bench/report-usage.cjs"), join(repoRoot, "bin/letterpress.js"), "send", issueDate, "--issues", issuesDir, "--config", configFile, "--smtp", `smtp://127.0.0.1:${sink.port}`],
      workDir,
    );

    let nodemailerBaseline: SendFigures | undefined;
    if (options.baseline !== false) {
      // The same content, rendered here once, handed to the baseline as a file.
      const config = await loadConfig({ file: configFile });
      const { issues } = await loadIssues(issuesDir);
      const issue = issues.find((i) => i.date === issueDate);
      if (!issue) throw new Error(`bench: no issue ${issueDate} in ${issuesDir}`);
      const content = await renderNewsletter(issue, config);
      const contentFile = join(workDir, "content.json");
      await writeFile(contentFile, JSON.stringify({ content, config: configJson }));
      nodemailerBaseline = await measured(sink, subscribers, ["--require", join(repoRoot, "bench/report-usage.cjs"), "--input-type=module", "-e", BASELINE_SCRIPT, contentFile], repoRoot);
    }
    return { subscribers, letterpress, nodemailerBaseline: nodemailerBaseline ?? emptyFigures() };
  } finally {
    await sink.close();
  }
}

function emptyFigures(): SendFigures {
  return { messagesPerSecond: NaN, peakRssMiB: NaN, seconds: NaN, userCpuSeconds: NaN, systemCpuSeconds: NaN, serverCpuSeconds: NaN, messages: 0, averageBytes: NaN };
}

/** Runs one sender as a child with the usage reporter preloaded, and reads what the sink saw. */
async function measured(sink: SinkServer, expected: number, nodeArgs: string[], cwd: string): Promise<SendFigures> {
  const scratch = await mkdtemp(join(tmpdir(), "letterpress-send-usage-"));
  const usageFile = join(scratch, "usage.json");
  await sink.reset();
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, nodeArgs, { cwd, env: { ...process.env, BENCH_USAGE_FILE: usageFile }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("close", (c) => done({ code: c, stderr: err }));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`bench send: ${nodeArgs.slice(2, 4).join(" ")} exited ${code}\n${stderr.slice(-4000)}`);
  if (process.env.BENCH_SEND_STDERR) process.stderr.write(stderr);
  const usage = JSON.parse(await readFile(usageFile, "utf8")) as { maxRssKiB: number; userMs: number; systemMs: number };
  await rm(scratch, { recursive: true, force: true });
  const stats = await sink.stats();
  if (stats.messages !== expected) throw new Error(`bench send: the server received ${stats.messages} messages, expected ${expected}\n${stderr.slice(-4000)}`);
  const span = (stats.lastMs - stats.firstMs) / 1000;
  return {
    messagesPerSecond: span > 0 ? (stats.messages - 1) / span : NaN,
    peakRssMiB: usage.maxRssKiB / 1024,
    seconds,
    userCpuSeconds: usage.userMs / 1000,
    systemCpuSeconds: usage.systemMs / 1000,
    serverCpuSeconds: stats.cpuMs / 1000,
    messages: stats.messages,
    averageBytes: stats.bytes / Math.max(1, stats.messages),
  };
}

interface SinkStats {
  messages: number;
  bytes: number;
  firstMs: number;
  lastMs: number;
  cpuMs: number;
}

export interface SinkServer {
  port: number;
  reset(): Promise<void>;
  stats(): Promise<SinkStats>;
  close(): Promise<void>;
}

/**
 * smtp-server in its own process: no reverse lookup, no AUTH, no STARTTLS;
 * counts messages and bytes, keeps none. Talks to us over the IPC channel.
 */
const SINK_SCRIPT = `
import { SMTPServer } from "smtp-server";
let stats, cpuAtReset;
const reset = () => { stats = { messages: 0, bytes: 0, firstMs: 0, lastMs: 0 }; cpuAtReset = process.cpuUsage(); };
reset();
const server = new SMTPServer({
  disableReverseLookup: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  authOptional: true,
  logger: false,
  maxClients: 1000,
  onData(stream, session, callback) {
    let bytes = 0;
    stream.on("data", (c) => (bytes += c.length));
    stream.on("end", () => {
      const now = performance.timeOrigin + performance.now();
      if (stats.messages === 0) stats.firstMs = now;
      stats.messages++;
      stats.lastMs = now;
      stats.bytes += bytes;
      callback(null, "OK: discarded");
    });
  },
});
server.on("error", () => {});
server.listen(0, "127.0.0.1", () => process.send({ port: server.server.address().port }));
process.on("message", (m) => {
  if (m === "reset") { reset(); process.send({ reset: true }); }
  else if (m === "stats") { const cpu = process.cpuUsage(cpuAtReset); process.send({ stats: { ...stats, cpuMs: (cpu.user + cpu.system) / 1000 } }); }
  else if (m === "close") server.close(() => process.exit(0));
});
`;

export async function startSinkServer(): Promise<SinkServer> {
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", SINK_SCRIPT], { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = <T>(pick: (m: Record<string, unknown>) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        const value = pick(m);
        if (value !== undefined) {
          child.off("message", onMessage);
          child.off("exit", onExit);
          resolve(value);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`bench: the sink server exited ${code}`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const port = await next((m) => m.port as number | undefined);
  return {
    port,
    async reset() {
      const done = next((m) => m.reset as boolean | undefined);
      child.send("reset");
      await done;
    },
    async stats() {
      const done = next((m) => m.stats as SinkStats | undefined);
      child.send("stats");
      return done;
    },
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("close");
      await exited;
    },
  };
}

/**
 * The baseline: what a user of Nodemailer writes. A pooled transport (5
 * connections, its defaults otherwise), every subscriber read at once, and
 * one `sendMail` per recipient with the HTML, text and headers, so Nodemailer
 * composes each message; at most 100 in the pool's queue at a time so memory
 * measures the composing, not a 100,000-long queue. No ledger.
 */
const BASELINE_SCRIPT = `
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import nodemailer from "nodemailer";
import Database from "better-sqlite3";
const { content, config } = JSON.parse(readFileSync(process.argv[1], "utf8"));
const db = new Database(config.database, { readonly: true });
const rows = db.prepare("SELECT email, name FROM subscribers WHERE status = 'active' ORDER BY key").all();
const port = Number(new URL(config.transport).port);
const transporter = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, maxConnections: 5, maxMessages: Infinity });
const PLACEHOLDER = "https://unsubscribe.letterpress.invalid/";
const mac = (text) => createHmac("sha256", config.secret).update(text).digest("base64url");
const sendOne = (row) => {
  const url = "https://example.org/digest/unsubscribe?token=" + Buffer.from(row.email).toString("base64url") + "." + mac(row.email);
  return transporter.sendMail({
    from: config.email.from,
    replyTo: config.email.replyTo,
    to: { name: row.name ?? "", address: row.email },
    subject: content.subject,
    messageId: "<" + content.date + "." + mac("id" + row.email).slice(0, 32) + "@example.org>",
    html: content.html.replaceAll(PLACEHOLDER, url.replaceAll("&", "&amp;")),
    text: content.text.replaceAll(PLACEHOLDER, url),
    headers: { "List-Unsubscribe": { prepared: true, value: "<" + url + ">, <mailto:digest@example.org?subject=unsubscribe>" }, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  });
};
let next = 0;
const worker = async () => { while (next < rows.length) await sendOne(rows[next++]); };
await Promise.all(Array.from({ length: 100 }, worker));
transporter.close();
db.close();
`;
