import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from "node:fs/promises";
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


beforeAll(() => ensureCompiled("dist/bundle/render-worker.cjs"), 120_000);

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

  it("after a template edit, the worker and this thread render every newsletter again, as a single-threaded build does", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-parallel-template-"));
    const { issuesDir } = await generateArchive(dir, { issues: 80, firstDate: "2019-12-20", subscribers: 0 });
    const templates = join(dir, "templates");
    await cp(join(repoRoot, "templates"), templates, { recursive: true });
    const raw = { ...(JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")) as Record<string, unknown>), templates };
    await writeFile(join(dir, "config.json"), JSON.stringify(raw));
    const build = () => run(process.execPath, [join(repoRoot, "bin/letterpress.js"), "build", "--issues", issuesDir, "--out", join(dir, "parallel"), "--config", join(dir, "config.json")]);
    await build();

    // Every issue is unchanged: none is parsed while reading, each is loaded as it is rendered or handed over.
    const footer = join(templates, "partials", "footer.mjml");
    await writeFile(footer, (await readFile(footer, "utf8")).replace("</mj-text>", "Edited footer.</mj-text>"));
    const { stdout } = await build();
    expect(stdout).toMatch(/rendered 80 issues/u);
    await buildSite({ issuesDir, outDir: join(dir, "single"), config: resolveConfig(raw, "config.json"), out: recordOutput() });

    const single = await snapshotFiles(join(dir, "single"));
    const parallel = await snapshotFiles(join(dir, "parallel"));
    expect([...parallel.keys()].sort()).toEqual([...single.keys()].sort());
    for (const [path, bytes] of single) expect(parallel.get(path), path).toBe(bytes);
    const emails = [...parallel.keys()].filter((path) => path.startsWith("email/") && path.endsWith(".html"));
    expect(emails).toHaveLength(80);
    for (const path of emails) expect(Buffer.from(parallel.get(path)!, "base64").toString("utf8"), path).toContain("Edited footer.");
  });

  it("goes round again when the site's pages find a record stale while the worker renders, and ends as a clean build, no staging folder left", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-parallel-stale-"));
    const { issuesDir: generated, dates } = await generateArchive(join(dir, "generated"), { issues: 80, firstDate: "2019-12-01", subscribers: 0 });
    await writeFile(join(dir, "config.json"), await readFile(join(repoRoot, "letterpress.config.json"), "utf8"));
    const issuesDir = join(dir, "issues");
    await mkdir(issuesDir);
    // Whole seconds, so that a file put back to its time has exactly the time the build recorded.
    const time = new Date("2020-03-01T08:00:00Z");
    const copy = async (some: readonly string[]) => {
      for (const name of await readdir(generated)) {
        if (!some.some((date) => name.startsWith(date))) continue;
        await cp(join(generated, name), join(issuesDir, name), { recursive: true });
        await utimes(join(issuesDir, name), time, time);
      }
    };
    const build = (out: string) => run(process.execPath, [join(repoRoot, "bin/letterpress.js"), "build", "--issues", issuesDir, "--out", join(dir, out), "--config", join(dir, "config.json")]);

    await copy(dates.slice(0, 10));
    await build("out");
    // 2019-12-05 changes behind the build's back (same size, same time): its record is stale. It is neither
    // rendered again nor a neighbour of an issue that is, so the first to read it is December's page of the
    // feed archive, which the new issues change: a site unit, made while the worker renders the new issues.
    const stale = (await readdir(issuesDir)).find((name) => name.startsWith("2019-12-05."))!;
    const text = await readFile(join(issuesDir, stale), "utf8");
    const found = / ([a-z]{7,}) /u.exec(text)!;
    const word = found[1]!;
    await writeFile(join(issuesDir, stale), `${text.slice(0, found.index)} ${word.toUpperCase()} ${text.slice(found.index + found[0].length)}`);
    await utimes(join(issuesDir, stale), time, time);
    await copy(dates.slice(10));

    const { stdout } = await build("out");
    expect(stdout).toMatch(/rendered 72 issues/u);
    expect((await readdir(join(dir, "out"))).filter((name) => name.startsWith(".staging-"))).toEqual([]);
    await build("clean");
    expect(await snapshotFiles(join(dir, "out"))).toEqual(await snapshotFiles(join(dir, "clean")));
    expect(await readFile(join(dir, "out/feed-archive/2019-12.xml"), "utf8")).toContain(word.toUpperCase());
  });
});
