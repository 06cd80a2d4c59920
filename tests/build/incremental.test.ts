import { existsSync } from "node:fs";
import { appendFile, cp, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSite } from "../../src/build/build.js";
import { loadCatalog } from "../../src/build/catalog.js";
import { IssuesSnapshot } from "../../src/build/fingerprint.js";
import { MANIFEST_PATH, OutputListing, planBuild, readManifest } from "../../src/build/plan.js";
import type { Output } from "../../src/cli/output.js";
import { readTemplateSources } from "../../src/render/email.js";
import { makeAbstract, sampleIssuesDir, testConfig } from "../render/email-fixtures.js";
import { snapshotFiles } from "../support/files.js";
import { repoRoot } from "../support/golden.js";

const config = testConfig();

function recorder(): Output & { warnings: string[] } {
  const warnings: string[] = [];
  return { info: () => {}, warn: (l) => warnings.push(l), error: () => {}, interactive: false, warnings };
}

async function workspace(): Promise<{ issuesDir: string; outDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "letterpress-build-"));
  const issuesDir = join(dir, "issues");
  await cp(sampleIssuesDir, issuesDir, { recursive: true });
  return { issuesDir, outDir: join(dir, "out") };
}

/** Deletes `out/` and builds again: every file, the build's records included, must be as the incremental build left it. */
async function expectSameAfterCleanBuild(issuesDir: string, outDir: string): Promise<void> {
  const incremental = await snapshotFiles(outDir);
  await rm(outDir, { recursive: true });
  await buildSite({ issuesDir, outDir, config, out: recorder() });
  expect(await snapshotFiles(outDir)).toEqual(incremental);
}

describe("incremental build", () => {
  it("renders every issue the first time and none the second", async () => {
    const { issuesDir, outDir } = await workspace();
    const first = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(first.rendered).toEqual(["2020-10-30", "2020-11-02", "2020-12-01"]);
    for (const path of ["email/2020-10-30.html", "email/2020-10-30.txt", "issues/2020-10-30/index.html", "issues/2020-10-30/f01.png.jpg", "index.html", "categories/lg/index.html", MANIFEST_PATH]) {
      expect(first.files).toContain(path);
    }
    const before = await snapshotFiles(outDir);
    const second = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(second.rendered).toEqual([]);
    // Nothing read changed, so nothing was parsed or written, and the count is the last build's.
    expect(second.files).toEqual([]);
    expect(second.issueCount).toBe(3);
    expect(await snapshotFiles(outDir)).toEqual(before);
  });

  it("renders again only the issue whose text or images changed", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });

    await writeFile(join(issuesDir, "2020-12-01.txt"), (await readFile(join(issuesDir, "2020-12-01.txt"), "utf8")).replace("Legged locomotion", "Legged robot locomotion"));
    const afterText = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(afterText.rendered).toEqual(["2020-12-01"]);
    expect(await readFile(join(outDir, "email/2020-12-01.txt"), "utf8")).toContain("Legged robot locomotion");

    await appendFile(join(issuesDir, "2020-10-30", "f01.png.jpg"), Buffer.from([0]));
    const afterImage = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(afterImage.rendered).toEqual(["2020-10-30"]);
    expect((await readFile(join(outDir, "issues/2020-10-30/f01.png.jpg"))).length).toBe(145);
  });

  it("rewrites a whole-site file only when its content changes", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    const stylesheet = join(outDir, "feed.xsl");
    const past = new Date("2001-01-01T00:00:00Z");
    await utimes(stylesheet, past, past);
    await writeFile(join(issuesDir, "2020-12-01.txt"), (await readFile(join(issuesDir, "2020-12-01.txt"), "utf8")).replace("Legged locomotion", "Legged robot locomotion"));
    const again = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(again.files).toContain("feed.xml");
    expect(again.files).not.toContain("feed.xsl");
    expect((await stat(stylesheet)).mtime.toISOString()).toBe(past.toISOString());
  });

  it("renders again an issue whose output was deleted", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    await rm(join(outDir, "email/2020-11-02.txt"));
    const again = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(again.rendered).toEqual(["2020-11-02"]);
    expect(await readFile(join(outDir, "email/2020-11-02.txt"), "utf8")).toContain("Beyond <eos>");
  });

  it("renders again the neighbours of a new issue, whose previous/next links change", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    await writeFile(join(issuesDir, "2020-11-15.txt"), (await readFile(join(issuesDir, "2020-12-01.txt"), "utf8")));
    const again = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(again.rendered).toEqual(["2020-11-02", "2020-11-15", "2020-12-01"]);
    expect(await readFile(join(outDir, "issues/2020-11-02/index.html"), "utf8")).toContain('href="../2020-11-15/index.html"');
  });

  it("makes every newsletter again when the templates change, and no web page", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    const previous = readManifest(outDir)?.manifest;
    const { records } = await loadCatalog({ snapshot: new IssuesSnapshot(issuesDir), config, ...(previous ? { previous: { issues: previous.issues, outDir } } : {}) });
    const templates = await readTemplateSources();
    const unchanged = planBuild({ output: new OutputListing(outDir), records, templates, config, previous });
    expect(unchanged.make).toEqual([]);
    expect([...unchanged.keep.values()].map((kept) => Object.keys(kept).sort())).toEqual(Array(3).fill(["email", "images", "page"]));
    const edited = templates.map((t, i) => (i === 0 ? { ...t, text: `${t.text}\n` } : t));
    const changed = planBuild({ output: new OutputListing(outDir), records, templates: edited, config, previous });
    expect(changed.make).toEqual(["2020-10-30", "2020-11-02", "2020-12-01"].map((date) => ({ date, outputs: ["email"] })));
  });

  it("after a template edit, writes the newsletters again and leaves the pages and feeds as they were", async () => {
    const { issuesDir, outDir } = await workspace();
    const templates = join(issuesDir, "..", "templates");
    await cp(join(sampleIssuesDir, "..", "templates"), templates, { recursive: true });
    const withTemplates = { ...config, templates };
    await buildSite({ issuesDir, outDir, config: withTemplates, out: recorder() });
    const footer = join(templates, "partials", "footer.mjml");
    await writeFile(footer, (await readFile(footer, "utf8")).replace("View in browser", "Read in a browser"));
    const after = await buildSite({ issuesDir, outDir, config: withTemplates, out: recorder() });
    // The HTML parts change; the plain-text parts, made from the model, do not, so they are not written.
    expect(after.files.filter((f) => f.startsWith("email/")).sort()).toEqual(["email/2020-10-30.html", "email/2020-11-02.html", "email/2020-12-01.html"]);
    expect(await readFile(join(outDir, "email/2020-12-01.html"), "utf8")).toContain("Read in a browser");
    // And the records of the year whose newsletters changed.
    expect(after.files.filter((f) => !f.startsWith("email/"))).toEqual([".letterpress/issues/2020.json", ".letterpress/manifest.json"]);
  });

  it("writes the records of the years that changed, and removes a year's when its last issue goes", async () => {
    const { issuesDir, outDir } = await workspace();
    const sample = await readFile(join(issuesDir, "2020-10-30.txt"), "utf8");
    await writeFile(join(issuesDir, "2021-01-04.txt"), sample);
    const first = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(first.files.filter((f) => f.startsWith(".letterpress/issues/"))).toEqual([".letterpress/issues/2020.json", ".letterpress/issues/2021.json"]);
    const records2020 = await readFile(join(outDir, ".letterpress/issues/2020.json"), "utf8");

    // A new issue whose neighbours are all in 2021: the 2020 records stay as they are.
    await writeFile(join(issuesDir, "2021-01-05.txt"), sample);
    const second = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(second.rendered).toEqual(["2021-01-04", "2021-01-05"]);
    expect(second.files.filter((f) => f.startsWith(".letterpress/")).sort()).toEqual([".letterpress/archive/2021-01.json", ".letterpress/issues/2021.json", ".letterpress/manifest.json"]);
    expect(await readFile(join(outDir, ".letterpress/issues/2020.json"), "utf8")).toBe(records2020);
    expect(Object.keys(readManifest(outDir)!.manifest.issues)).toEqual(["2020-10-30", "2020-11-02", "2020-12-01", "2021-01-04", "2021-01-05"]);

    await rm(join(issuesDir, "2021-01-04.txt"));
    await rm(join(issuesDir, "2021-01-05.txt"));
    const third = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(third.rendered).toEqual(["2020-12-01"]);
    await expect(stat(join(outDir, ".letterpress/issues/2021.json"))).rejects.toThrow();
    await expectSameAfterCleanBuild(issuesDir, outDir);
  });

  it("removes what an older layout left in its records, and leaves the files no build makes", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    const clean = await snapshotFiles(outDir);
    // A year's details file and a manifest of another layout (not readable as this one: a full build follows).
    await writeFile(join(outDir, ".letterpress/archive/2020.json"), "{}");
    await writeFile(join(outDir, ".letterpress/issues/2019.json"), "{}");
    await writeFile(join(outDir, MANIFEST_PATH), JSON.stringify({ version: 3, issues: {}, site: {} }));
    await writeFile(join(outDir, "shots.png"), "not the build's");
    const again = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(again.rendered).toEqual(["2020-10-30", "2020-11-02", "2020-12-01"]);
    const after = await snapshotFiles(outDir);
    expect(after.get("shots.png")).toBeDefined();
    after.delete("shots.png");
    expect(after).toEqual(clean);
  });

  it("makes again the issues of a year whose records are missing, and no others", async () => {
    const { issuesDir, outDir } = await workspace();
    await writeFile(join(issuesDir, "2021-01-04.txt"), await readFile(join(issuesDir, "2020-10-30.txt"), "utf8"));
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    const complete = await snapshotFiles(outDir);
    await rm(join(outDir, ".letterpress/issues/2020.json"));
    const again = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(again.rendered).toEqual(["2020-10-30", "2020-11-02", "2020-12-01"]);
    expect(await snapshotFiles(outDir)).toEqual(complete);
  });

  it("makes again the issues of a year whose records file is cut short, and no others", async () => {
    const { issuesDir, outDir } = await workspace();
    await writeFile(join(issuesDir, "2021-01-04.txt"), await readFile(join(issuesDir, "2020-10-30.txt"), "utf8"));
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    const complete = await snapshotFiles(outDir);
    // A line (an issue's record) cut in the middle, as a full disk leaves a file.
    const records = await readFile(join(outDir, ".letterpress/issues/2020.json"), "utf8");
    await writeFile(join(outDir, ".letterpress/issues/2020.json"), records.slice(0, records.lastIndexOf("\n", records.length - 2) + 40));
    const again = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(again.rendered).toEqual(["2020-10-30", "2020-11-02", "2020-12-01"]);
    expect(await snapshotFiles(outDir)).toEqual(complete);
  });

  it("gives the same files after out/ is deleted and rebuilt", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    await writeFile(join(issuesDir, "2020-12-01.txt"), (await readFile(join(issuesDir, "2020-12-01.txt"), "utf8")).replace("ETH Zurich", "ETH Zürich"));
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    await expectSameAfterCleanBuild(issuesDir, outDir);
  });

  it("says which issue was shortened to fit, on every build", async () => {
    const { issuesDir, outDir } = await workspace();
    const entries = Array.from({ length: 50 }, (_, i) => `${i + 1}、[LG] *Paper ${i + 1}\nA Author, B Author\n[Some University]\n中文标题${i + 1}。中文摘要。** ${makeAbstract(3000, i)} https://example.org/p/${i + 1}\n`);
    await writeFile(join(issuesDir, "2021-01-01.txt"), `LG - 机器学习 (*表示值得重点关注)\n\n${entries.join("\n")}`);
    const out = recorder();
    const first = await buildSite({ issuesDir, outDir, config, out });
    expect(first.rendered).toContain("2021-01-01");
    expect(out.warnings.filter((w) => w.includes("shortened"))).toHaveLength(1);
    expect(out.warnings.find((w) => w.includes("shortened"))).toContain("email/2021-01-01.html");
    expect((await readFile(join(outDir, "email/2021-01-01.html"))).length).toBeLessThan(102 * 1024);
    const again = recorder();
    const second = await buildSite({ issuesDir, outDir, config, out: again });
    expect(second.rendered).toEqual([]);
    expect(again.warnings).toEqual(out.warnings);
  });
});

describe("an issue that is deleted", () => {
  it("has its files removed, so out/ is what a clean build makes", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    await rm(join(issuesDir, "2020-11-02-weekend.md"));
    await rm(join(issuesDir, "2020-11-02"), { recursive: true });
    const after = await buildSite({ issuesDir, outDir, config, out: recorder() });
    // Its neighbours now link to each other.
    expect(after.rendered).toEqual(["2020-10-30", "2020-12-01"]);
    expect([...(await snapshotFiles(outDir)).keys()].filter((p) => p.includes("2020-11-02") || p.startsWith("categories/ir"))).toEqual([]);
    // Nor its folders: no empty issues/2020-11-02/ or categories/ir/ left behind.
    expect(existsSync(join(outDir, "issues/2020-11-02"))).toBe(false);
    expect(existsSync(join(outDir, "categories/ir"))).toBe(false);
    await expectSameAfterCleanBuild(issuesDir, outDir);
  });
});

describe("the whole-site outputs of an incremental build", () => {
  /** A clean build of the same issues into a fresh folder. */
  async function cleanBuild(issuesDir: string): Promise<Map<string, string>> {
    const outDir = await mkdtemp(join(tmpdir(), "letterpress-clean-"));
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    return snapshotFiles(outDir);
  }

  it("are what a clean build makes, after each of a new month, a new year, an edit, an image and a deletion", async () => {
    const { issuesDir, outDir } = await workspace();
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    const sample = await readFile(join(issuesDir, "2020-10-30.txt"), "utf8");
    const steps: [string, () => Promise<unknown>][] = [
      ["a new issue in a new month", () => writeFile(join(issuesDir, "2020-12-02.txt"), sample.replace("Tree-structured Ising", "December Ising"))],
      ["a new issue in a new year", () => writeFile(join(issuesDir, "2021-01-04.txt"), sample.replace("[LG]", "[RO]"))],
      ["an old issue edited", () => writeFile(join(issuesDir, "2020-10-30.txt"), sample.replace("*Tree-structured", "**Tree-structured"))],
      ["an image added", () => cp(join(issuesDir, "2020-10-30"), join(issuesDir, "2021-01-04"), { recursive: true })],
      ["an issue deleted", () => rm(join(issuesDir, "2020-12-01.txt"))],
    ];
    for (const [what, change] of steps) {
      await change();
      await buildSite({ issuesDir, outDir, config, out: recorder() });
      expect(await snapshotFiles(outDir), what).toEqual(await cleanBuild(issuesDir));
    }
    // The steps reached every kind of whole-site file.
    const paths = [...(await snapshotFiles(outDir)).keys()];
    for (const path of ["search/2021.js", "categories/lg/2020.html", "categories/ro/index.html", "feed-archive/2021-01.xml", ".letterpress/archive/2021-01.json"]) expect(paths).toContain(path);
  });

  /** Changes an issue's file behind the build's back, keeping its size and its (whole-second) modification time. */
  async function disguise(file: string, from: string, to: string): Promise<void> {
    const mtime = (await stat(file)).mtime;
    const text = await readFile(file, "utf8");
    expect(Buffer.byteLength(to)).toBe(Buffer.byteLength(from));
    await writeFile(file, text.replace(from, to));
    await utimes(file, mtime, mtime);
  }

  async function wholeSecondTimes(issuesDir: string): Promise<void> {
    const time = new Date("2020-12-01T08:00:00Z");
    for (const name of ["2020-10-30.txt", "2020-11-02-weekend.md", "2020-12-01.txt"]) await utimes(join(issuesDir, name), time, time);
  }

  it("come from the records of the issues they do not show in full: those files are not read again", async () => {
    const { issuesDir, outDir } = await workspace();
    await wholeSecondTimes(issuesDir);
    // One issue in the main feed and one entry per category feed: the new issue fills them, except for RO and IR.
    const small = { ...config, feed: { ...config.feed, length: 1, categoryLength: 1 } };
    await buildSite({ issuesDir, outDir, config: small, out: recorder() });
    await disguise(join(issuesDir, "2020-10-30.txt"), "Tree-structured Ising", "TREE-STRUCTURED ISING");
    await writeFile(join(issuesDir, "2021-01-04.txt"), await readFile(join(sampleIssuesDir, "2020-10-30.txt"), "utf8"));
    const after = await buildSite({ issuesDir, outDir, config: small, out: recorder() });
    expect(after.rendered).toEqual(["2020-12-01", "2021-01-04"]);
    // LG's 2020 entries moved from its index.html to 2020.html (LG now has a 2021), made from the recorded
    // details of 2020's issues, which were not made again: as with make, a file whose size and time are unchanged is not read.
    expect(after.files).toContain("categories/lg/2020.html");
    expect(after.files.filter((f) => f.startsWith(".letterpress/archive/2020-"))).toEqual([]);
    const lg2020 = await readFile(join(outDir, "categories/lg/2020.html"), "utf8");
    expect(lg2020).toContain("Tree-structured Ising");
    expect(lg2020).not.toContain("TREE-STRUCTURED ISING");
  });

  it("are made from the file as it is when a record turns out stale, as a clean build makes them", async () => {
    const { issuesDir, outDir } = await workspace();
    await wholeSecondTimes(issuesDir);
    await buildSite({ issuesDir, outDir, config, out: recorder() });
    // 2020-12-01 is the new issue's neighbour: its page is made again, so its file is read, and found changed.
    await disguise(join(issuesDir, "2020-12-01.txt"), "Quadrupedal Locomotion", "QUADRUPEDAL LOCOMOTION");
    await writeFile(join(issuesDir, "2021-01-04.txt"), await readFile(join(sampleIssuesDir, "2020-10-30.txt"), "utf8"));
    const after = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(after.rendered).toContain("2020-12-01");
    expect(await readFile(join(outDir, "categories/ro/index.html"), "utf8")).toContain("QUADRUPEDAL LOCOMOTION");
    const incremental = await snapshotFiles(outDir);
    expect(incremental).toEqual(await cleanBuild(issuesDir));
  });
});

describe("warnings of a file the build did not read again", () => {
  it("are said again, naming the file as this build names it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-warnings-"));
    const issuesDir = join(dir, "issues");
    await cp(join(repoRoot, "tests/fixtures/bad/numbers-out-of-sequence"), issuesDir, { recursive: true });
    // The same folder through a second path, as a build run from elsewhere would name it.
    const elsewhere = join(dir, "elsewhere");
    await symlink(issuesDir, elsewhere);
    const outDir = join(dir, "out");
    const first = await buildSite({ issuesDir: elsewhere, outDir, config, out: recorder() });
    expect(first.warnings.map((w) => w.where.file)).toEqual([relative(process.cwd(), join(elsewhere, "2021-01-08.txt"))]);
    await writeFile(join(issuesDir, "2021-01-09.txt"), await readFile(join(sampleIssuesDir, "2020-12-01.txt"), "utf8"));
    const second = await buildSite({ issuesDir, outDir, config, out: recorder() });
    expect(second.rendered).toContain("2021-01-09");
    const warning = second.warnings.find((w) => w.message.includes("out of sequence"));
    expect(warning?.where).toMatchObject({ file: relative(process.cwd(), join(issuesDir, "2021-01-08.txt")), line: 8 });
  });
});
