import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildSite } from "../../src/build/build.js";
import { main } from "../../src/cli/main.js";
import type { Output } from "../../src/cli/output.js";
import { InputError } from "../../src/errors.js";
import { exampleIssuesDir, testConfig } from "../render/feed-fixtures.js";

let dir: string;
let issuesDir: string;
const config = testConfig();

function recorder(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, interactive: false, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
}

async function build(outDir: string) {
  return buildSite({ issuesDir, outDir, config, out: recorder() });
}

/** Every file under a folder, by relative path, with its bytes. */
async function snapshot(root: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(root, path), await readFile(path));
  }
  return files;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "letterpress-build-"));
  issuesDir = join(dir, "issues");
  await cp(exampleIssuesDir, issuesDir, { recursive: true });
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe("buildSite with the feeds", () => {
  it("is reproducible: two builds, into fresh and into used folders, are byte-identical", async () => {
    await build(join(dir, "out1"));
    await build(join(dir, "out2"));
    const first = await snapshot(join(dir, "out1"));
    expect(first.size).toBeGreaterThan(20);
    expect(await snapshot(join(dir, "out2"))).toEqual(first);
    await build(join(dir, "out1"));
    expect(await snapshot(join(dir, "out1"))).toEqual(first);
  });

  it("editing an issue's text changes its content but not its id, nor its entries' ids", async () => {
    await build(join(dir, "before"));
    const file = join(issuesDir, "2020-10-30.txt");
    const text = await readFile(file, "utf8");
    const edited = text.replace("Deep learning versus kernel learning", "Deep learning versus kernel learning (revised)").replace("In suitably initialized", "In suitably chosen");
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    await build(join(dir, "after"));

    type Json = { items: { id: string; title: string; content_html: string; url: string }[] };
    const read = async (out: string, path: string) => JSON.parse(await readFile(join(dir, out, path), "utf8")) as Json;
    const [before, after] = [await read("before", "feed.json"), await read("after", "feed.json")];
    const sample = (f: Json) => f.items.find((i) => i.url.endsWith("/issues/2020-10-30/"))!;
    expect(sample(after).content_html).toContain("(revised)");
    expect(sample(after).id).toBe(sample(before).id);
    expect(after.items.map((i) => i.id)).toEqual(before.items.map((i) => i.id));
    const [lgBefore, lgAfter] = [await read("before", "categories/lg/feed.json"), await read("after", "categories/lg/feed.json")];
    expect(lgAfter.items.some((i) => i.title.includes("(revised)"))).toBe(true);
    expect(lgAfter.items.map((i) => i.id)).toEqual(lgBefore.items.map((i) => i.id));
  });

  it("an issue's id does not depend on the feed's length", async () => {
    const out = join(dir, "short");
    await buildSite({ issuesDir, outDir: out, config: testConfig({ feed: { length: 1 } }), out: recorder() });
    await build(join(dir, "long"));
    const ids = async (o: string) => (JSON.parse(await readFile(join(o, "feed.json"), "utf8")) as { items: { id: string }[] }).items.map((i) => i.id);
    const [short, long] = [await ids(out), await ids(join(dir, "long"))];
    expect(short).toHaveLength(1);
    expect(long[0]).toBe(short[0]);
  });

  it("an issue that fails to parse stops the build with check's messages, and out/ is left as it was", async () => {
    const out = join(dir, "out");
    await build(out);
    const before = await snapshot(out);
    await writeFile(join(issuesDir, "2020-12-02.md"), "");
    await writeFile(join(issuesDir, "2020-12-01.txt"), `${await readFile(join(issuesDir, "2020-12-01.txt"), "utf8")}\n`);
    const failure = await build(out).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(InputError);
    expect((failure as InputError).diagnostics.map((d) => `${d.where.file}:${d.where.line}`)).toEqual([expect.stringContaining("2020-12-02.md:1")]);
    expect(await snapshot(out)).toEqual(before);
  });
});

describe("letterpress build", () => {
  it("builds the feeds, prints warnings as file:line: warning: message and where the feeds are", async () => {
    const configFile = join(dir, "test.config.json");
    await writeFile(configFile, JSON.stringify({ site: { url: "https://example.org/digest/" } }));
    const file = join(issuesDir, "2020-12-01.txt");
    await writeFile(file, (await readFile(file, "utf8")).replace("Learning Quadrupedal", "Learning\u0007 Quadrupedal"));
    const out = recorder();
    const code = await main(["node", "letterpress", "build", "--issues", issuesDir, "--out", join(dir, "site"), "--config", configFile], out);
    expect(code).toBe(0);
    expect(out.lines.some((l) => /2020-12-01\.txt:\d+: warning: a control character U\+0007/u.test(l))).toBe(true);
    expect(out.lines.some((l) => l.includes("built 3 issues") && l.includes("site/"))).toBe(true);
    expect(out.lines.some((l) => l.includes("feed.xml") && l.includes("atom.xml") && l.includes("feed.json"))).toBe(true);
    const atom = await readFile(join(dir, "site", "atom.xml"), "utf8");
    expect(atom).toContain("Learning Quadrupedal");
    expect(atom).not.toContain("\u0007");
  });

  it("exits 1 with file:line messages when an issue has errors", async () => {
    await writeFile(join(issuesDir, "2020-12-02.md"), "");
    const configFile = join(dir, "test.config.json");
    await writeFile(configFile, JSON.stringify({ site: { url: "https://example.org/digest/" } }));
    const out = recorder();
    const code = await main(["node", "letterpress", "build", "--issues", issuesDir, "--out", join(dir, "site"), "--config", configFile], out);
    expect(code).toBe(1);
    expect(out.lines.some((l) => /2020-12-02\.md:1: /u.test(l))).toBe(true);
    await expect(readdir(join(dir, "site"))).rejects.toThrow();
  });

  it("asks for site.url when the configuration has none", async () => {
    const configFile = join(dir, "empty.config.json");
    await writeFile(configFile, "{}");
    const out = recorder();
    const code = await main(["node", "letterpress", "build", "--issues", issuesDir, "--out", join(dir, "site"), "--config", configFile], out);
    expect(code).toBe(1);
    expect(out.lines.join("\n")).toContain("site.url");
  });
});
