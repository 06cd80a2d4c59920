import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..");
const cli = join(repoRoot, "bin", "letterpress.js");
const usageReporter = join(repoRoot, "bench", "report-usage.cjs");

export interface Measurement {
  label: string;
  wallMs: number;
  peakRssMiB: number;
  extra?: Record<string, number | string>;
}

/**
 * Runs the CLI as a user would (a new process, so "from process start" is
 * real), timing it from spawn to exit and reading its peak memory from
 * report-usage.cjs, preloaded into it.
 */
export async function measureCli(label: string, args: string[], cwd: string): Promise<Measurement & { stdout: string }> {
  const scratch = await mkdtemp(join(tmpdir(), "letterpress-usage-"));
  const usageFile = join(scratch, "usage.json");
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ["--require", usageReporter, cli, ...args], {
      cwd,
      env: { ...process.env, BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("close", (c) => done({ code: c, stdout: out, stderr: err }));
  });
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${label}: letterpress ${args.join(" ")} exited ${code}\n${stderr}`);
  const usage = JSON.parse(await readFile(usageFile, "utf8")) as { maxRssKiB: number };
  await rm(scratch, { recursive: true, force: true });
  return { label, wallMs, peakRssMiB: usage.maxRssKiB / 1024, stdout };
}
