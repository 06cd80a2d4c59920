import { describe, expect, it } from "vitest";
import { renderArchive } from "../../src/render/archive.js";
import type { OutputFile } from "../../src/render/output-file.js";
import { loadSampleIssues, makeEntry, makeIssue, testConfig, visibleText } from "./email-fixtures.js";

const config = testConfig();

function page(files: readonly OutputFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} among ${files.map((f) => f.path).join(", ")}`);
  return String(file.contents);
}

describe("the archive", async () => {
  const samples = await loadSampleIssues();
  const issues = [
    makeIssue("2019-12-30", [makeEntry(1, { stars: 1, title: "Last paper of 2019" })]),
    ...samples,
    makeIssue("2021-01-04", [makeEntry(1, { stars: 0, title: "An unstarred paper" }), makeEntry(2, { stars: 2, title: "Starred <b>bold</b> & more" })]),
  ];
  const files = renderArchive(issues, config);
  const index = page(files, "index.html");

  it("lists every issue, newest first, grouped by year and month", () => {
    const dates = [...index.matchAll(/<li data-date="([\d-]+)">/gu)].map((m) => m[1]);
    expect(dates).toEqual(["2021-01-04", "2020-12-01", "2020-11-02", "2020-10-30", "2019-12-30"]);
    const headings = [...index.matchAll(/<h([23])>([^<]+)<\/h\1>/gu)].map((m) => m[2]);
    expect(headings).toEqual(["2021", "2021年1月", "2020", "2020年12月", "2020年11月", "2020年10月", "2019", "2019年12月"]);
    for (const issue of issues) expect(index).toContain(`href="issues/${issue.date}/index.html"`);
  });

  it("shows each issue's starred titles, and only those", () => {
    const text = visibleText(index);
    expect(text).toContain("Starred <b>bold</b> & more");
    expect(text).not.toContain("An unstarred paper");
    expect(text).toContain("Deep learning versus kernel learning");
    expect(text).toContain("Beyond <eos>: Length Generalization & \"Stop\" Tokens in Transformers");
    // The sample's unstarred extras are not on the index.
    expect(text).not.toContain("Scientific intuition inspired by machine learning");
    expect(index).toContain('href="issues/2021-01-04/index.html#entry-2"');
  });

  it("links every feed, the site's and each category's page", () => {
    for (const feed of ["feed.xml", "atom.xml", "feed.json"]) expect(index).toContain(`href="https://example.org/digest/${feed}"`);
    expect(index).toContain('<link rel="alternate" type="application/atom+xml"');
    for (const tag of ["as", "cl", "cv", "ir", "lg", "ro"]) expect(index).toContain(`href="categories/${tag}/index.html"`);
  });

  it("writes a page per category and year listing its entries, newest first, with its feeds", () => {
    const categoryPages = files.filter((f) => f.path.startsWith("categories/lg/")).map((f) => f.path).sort();
    expect(categoryPages).toEqual(["categories/lg/2019.html", "categories/lg/2020.html", "categories/lg/index.html"]);
    // index.html is the newest year; the pages of the years, newest first, together list every LG entry once.
    const linked = (path: string) => [...page(files, path).matchAll(/<a href="\.\.\/\.\.\/issues\/([\d-]+)\/index\.html#entry-\d+">/gu)].map((m) => m[1]);
    const dates = ["categories/lg/index.html", "categories/lg/2020.html", "categories/lg/2019.html"].flatMap(linked);
    expect(dates[0]).toBe("2021-01-04");
    expect(dates.at(-1)).toBe("2019-12-30");
    expect(linked("categories/lg/index.html").every((d) => d!.startsWith("2021"))).toBe(true);
    expect(linked("categories/lg/2020.html").every((d) => d!.startsWith("2020"))).toBe(true);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(dates).toHaveLength(issues.flatMap((i) => [...i.entries, ...i.extras]).filter((e) => e.category === "LG").length);
    const lg = page(files, "categories/lg/2020.html");
    expect(visibleText(lg)).toContain("机器学习");
    expect(visibleText(lg)).toContain("Tree-structured Ising models can be learned efficiently");
    for (const format of ["feed.xml", "atom.xml", "feed.json"]) expect(lg).toContain(`href="https://example.org/digest/categories/lg/${format}"`);
    // Each page links the category's other years.
    expect(lg).toContain('<a href="index.html">2021</a>');
    expect(lg).toContain('<a href="2019.html">2019</a>');
    expect(lg).toContain("<strong>2020</strong>");
    // IR appears only in the Markdown issue, which has no legend: the page still exists, named by its tag.
    expect(visibleText(page(files, "categories/ir/index.html"))).toContain("Dense Passage Retrieval");
    expect(new Set(files.filter((f) => f.path.endsWith("/index.html") && f.path.startsWith("categories/")).map((f) => f.path))).toEqual(
      new Set(["as", "cl", "cv", "ir", "lg", "ro"].map((t) => `categories/${t}/index.html`)),
    );
  });

  it("writes the search texts as one script per year, which no text in them can break out of", () => {
    expect(files.filter((f) => f.path.startsWith("search/")).map((f) => f.path).sort()).toEqual(["search/2019.js", "search/2020.js", "search/2021.js"]);
    expect(index).toContain('<script type="application/json" id="search-years">["2019","2020","2021"]</script>');
    // Several issues in a year: one JSON array, newest first, each with its text.
    const year2020 = JSON.parse(/^letterpressSearch\(([\s\S]*)\);\n$/u.exec(page(files, "search/2020.js"))![1]!) as { date: string; text: string }[];
    expect(year2020.map((e) => e.date)).toEqual(["2020-12-01", "2020-11-02", "2020-10-30"]);
    expect(year2020.every((e) => e.text.length > 100)).toBe(true);
    const hostile = makeIssue("2021-05-05", [makeEntry(1, { title: "</script><script>alert(1)</script>\u2028" })]);
    const hostileFiles = renderArchive([hostile], config);
    const script = page(hostileFiles, "search/2021.js");
    const json = /^letterpressSearch\(([\s\S]*)\);\n$/u.exec(script)![1]!;
    expect(json).not.toContain("</script");
    const parsed = JSON.parse(json) as { date: string; text: string }[];
    expect(parsed).toEqual([{ date: "2021-05-05", text: expect.stringContaining("</script><script>alert(1)</script>") }]);
    expect(page(hostileFiles, "index.html").match(/<script/gu)).toHaveLength(2);
  });
});
