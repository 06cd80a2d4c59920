import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { generateArchive } from "../../bench/generate.js";
import { buildSite } from "../../src/build/build.js";
import { resolveConfig } from "../../src/config/load.js";
import { ensureCompiled } from "../support/compiled.js";
import { snapshotFiles } from "../support/files.js";
import { repoRoot } from "../support/golden.js";
import { recordOutput } from "../support/recorder.js";

const run = promisify(execFile);


beforeAll(() => ensureCompiled("dist/bundle/render-worker.js"), 120_000);

/**
 * The compiled CLI renders a large build on a worker thread as well as its
 * own; from the TypeScript sources everything renders on one thread. Both
 * must write the same bytes.
 */
describe("rendering on a worker thread", () => {
  it("writes exactly what a single-threaded build writes, for 80 issues", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-parallel-"));
    const { issuesDir } = await generateArchive(dir, { issues: 80, firstDate: "2019-12-20", subscribers: 0 });
    const raw = JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")) as Record<string, unknown>;
    await writeFile(join(dir, "config.json"), JSON.stringify(raw));

    await buildSite({ issuesDir, outDir: join(dir, "single"), config: resolveConfig(raw, "config.json"), out: recordOutput() });
    const { stdout } = await run(process.execPath, [join(repoRoot, "bin/letterpress.js"), "build", "--issues", issuesDir, "--out", join(dir, "parallel"), "--config", join(dir, "config.json")]);
    expect(stdout).toMatch(/rendered 80 issues/u);

    const single = await snapshotFiles(join(dir, "single"));
    const parallel = await snapshotFiles(join(dir, "parallel"));
    expect(single.size).toBeGreaterThan(80 * 3);
    expect([...parallel.keys()].sort()).toEqual([...single.keys()].sort());
    for (const [path, bytes] of single) expect(parallel.get(path), path).toBe(bytes);
  });
});
