import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ensureCompiled } from "../support/compiled.js";
import { snapshotFiles } from "../support/files.js";
import { repoRoot } from "../support/golden.js";
import { recordOutput } from "../support/recorder.js";

const run = promisify(execFile);

beforeAll(() => ensureCompiled(), 120_000);

/** A copy of the repository's issues, and its config with the mailbox and database in `dir`. */
async function startFolder(dir: string): Promise<void> {
  await cp(join(repoRoot, "issues"), join(dir, "issues"), { recursive: true });
  const config = JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")) as Record<string, unknown>;
  await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, transport: `capture://${join(dir, "mailbox")}`, database: join(dir, "letterpress.db") }));
}

function startArgs(dir: string): string[] {
  return ["start", "--issues", join(dir, "issues"), "--out", join(dir, "out"), "--subscribers", join(repoRoot, "subscribers.sample.csv"), "--config", join(dir, "config.json")];
}

/** `npm start` on a copy of the repository's issues, config and sample list, with every path absolute (no chdir). */
describe("letterpress start (npm start)", () => {
  it("builds everything, sends the newest issue to the sample list once, and says so when run again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-start-"));
    await startFolder(dir);
    const argv = ["node", "letterpress", ...startArgs(dir)];

    const first = recordOutput();
    expect(await main(argv, first)).toBe(0);
    const sampleRows = (await readFile(join(repoRoot, "subscribers.sample.csv"), "utf8")).trim().split("\n").length - 1;
    expect((await readdir(join(dir, "mailbox"))).filter((n) => n.endsWith(".eml"))).toHaveLength(sampleRows);
    for (const path of ["feed.xml", "atom.xml", "feed.json", "index.html", "issues/2020-12-01/index.html", "email/2020-12-01.html", "email/2020-12-01.txt"]) {
      await expect(readFile(join(dir, "out", path))).resolves.toBeDefined();
    }
    expect(first.lines.join("\n")).toMatch(/built 3 issues into .*: rendered 3 issues/u);
    expect(first.lines.join("\n")).toMatch(new RegExp(`sent ${sampleRows}, already sent before 0`, "u"));

    const second = recordOutput();
    expect(await main(argv, second)).toBe(0);
    expect(second.lines.join("\n")).toMatch(/rendered 0 issues \(3 unchanged\)/u);
    expect(second.lines.join("\n")).toMatch(/nothing new to send: every subscriber has issue 2020-12-01 already/u);
    expect((await readdir(join(dir, "mailbox"))).filter((n) => n.endsWith(".eml"))).toHaveLength(sampleRows);
  });

  it("does the same through bin/letterpress.js, the bundle users run: the same files in out/, a message for each subscriber", async () => {
    const inProcess = await mkdtemp(join(tmpdir(), "letterpress-start-"));
    await startFolder(inProcess);
    expect(await main(["node", "letterpress", ...startArgs(inProcess)], recordOutput())).toBe(0);
    const bundled = await mkdtemp(join(tmpdir(), "letterpress-start-bundle-"));
    await startFolder(bundled);
    const { stdout } = await run(process.execPath, [join(repoRoot, "bin/letterpress.js"), ...startArgs(bundled)]);
    expect(stdout).toMatch(/built 3 issues into .*: rendered 3 issues/u);

    // Not the build's own records (.letterpress/): they hold the copies' file times and paths.
    const published = async (dir: string) => new Map([...(await snapshotFiles(join(dir, "out")))].filter(([path]) => !path.startsWith(".letterpress/")));
    const expected = await published(inProcess);
    const actual = await published(bundled);
    expect(expected.size).toBeGreaterThan(10);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, bytes] of expected) expect(actual.get(path), path).toBe(bytes);
    const sampleRows = (await readFile(join(repoRoot, "subscribers.sample.csv"), "utf8")).trim().split("\n").length - 1;
    expect((await readdir(join(bundled, "mailbox"))).filter((n) => n.endsWith(".eml"))).toHaveLength(sampleRows);
  });
});

describe("letterpress start with an issue that has errors", () => {
  it("stops before out/ or any mailbox changes, with check's file:line messages", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-start-"));
    await startFolder(dir);
    await writeFile(join(dir, "issues", "2021-01-04.txt"), "1、[LG] A title\nAn Author\n[Somewhere]\nA body with no link at all.\n");
    const out = recordOutput();
    const argv = ["node", "letterpress", ...startArgs(dir)];
    expect(await main(argv, out)).toBe(1);
    expect(out.lines.join("\n")).toMatch(/2021-01-04\.txt:\d+: .*no link/u);
    await expect(readdir(join(dir, "mailbox"))).rejects.toThrow();
    expect((await readdir(join(dir, "out")).catch(() => [])).filter((n) => !n.startsWith("."))).toEqual([]);
  });
});
