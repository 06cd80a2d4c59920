import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCompiled } from "../support/compiled.js";
import { repoRoot } from "../support/golden.js";

const run = promisify(execFile);

beforeAll(() => ensureCompiled("dist/build/build.js"), 120_000);

/**
 * A build in a process of its own (the compiled code, as the CLI runs it)
 * that reports whether the `mjml` package's code was loaded: it is
 * CommonJS, so loading it, even through `import()`, leaves its files in the
 * require cache. (Its package.json is read for the disk cache's key.)
 */
async function buildReportingMjml(issuesDir: string, outDir: string, templates: string): Promise<{ rendered: string[]; mjmlLoaded: boolean }> {
  const script = `
    import { createRequire } from "node:module";
    import { buildSite } from ${JSON.stringify(join(repoRoot, "dist/build/build.js"))};
    import { resolveConfig } from ${JSON.stringify(join(repoRoot, "dist/config/load.js"))};
    const raw = JSON.parse(process.argv[1]);
    const out = { info() {}, warn() {}, error() {}, interactive: false };
    const result = await buildSite({ issuesDir: raw.issuesDir, outDir: raw.outDir, config: resolveConfig({ site: { url: "https://example.org/digest/" }, templates: raw.templates }, "test"), out });
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ rendered: result.rendered, mjmlLoaded: cache.some((path) => /[\\\\/]node_modules[\\\\/]mjml(?:-[a-z-]+)?[\\\\/]lib[\\\\/]/u.test(path)) }));
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script, JSON.stringify({ issuesDir, outDir, templates })]);
  return JSON.parse(stdout.trim()) as { rendered: string[]; mjmlLoaded: boolean };
}

describe("the mjml package", () => {
  it("is not loaded by a build whose templates are unchanged, and is when one changed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-mjml-"));
    const issuesDir = join(dir, "issues");
    const templates = join(dir, "templates");
    await cp(join(repoRoot, "issues"), issuesDir, { recursive: true });
    await cp(join(repoRoot, "templates"), templates, { recursive: true });
    // A wording no other test uses, so the compiled template is not already in the disk cache.
    const footer = join(templates, "partials", "footer.mjml");
    await writeFile(footer, (await readFile(footer, "utf8")).replace("View in browser", `View in browser ${Date.now()}`));
    const outDir = join(dir, "out");

    const first = await buildReportingMjml(issuesDir, outDir, templates);
    expect(first.mjmlLoaded).toBe(true);

    await writeFile(join(issuesDir, "2021-01-04.txt"), await readFile(join(issuesDir, "2020-12-01.txt"), "utf8"));
    const newIssue = await buildReportingMjml(issuesDir, outDir, templates);
    expect(newIssue.rendered).toContain("2021-01-04");
    expect(newIssue.mjmlLoaded).toBe(false);

    await writeFile(footer, (await readFile(footer, "utf8")).replace("View in browser", "Read in a browser"));
    const edited = await buildReportingMjml(issuesDir, outDir, templates);
    expect(edited.rendered).toHaveLength(4);
    expect(edited.mjmlLoaded).toBe(true);
  }, 60_000);
});
