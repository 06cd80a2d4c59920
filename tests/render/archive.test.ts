import { describe, expect, it } from "vitest";
import { renderArchive } from "../../src/render/archive.js";
import { loadSampleIssues, makeEntry, makeIssue, testConfig, visibleText } from "./email-fixtures.js";

const config = testConfig();

function page(files: { path: string; contents: string | Uint8Array }[], path: string): string {
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

  it("writes a page per category listing its entries across issues, newest first, with its feeds", () => {
    const lg = page(files, "categories/lg/index.html");
    const titles = [...lg.matchAll(/<a href="\.\.\/\.\.\/issues\/([\d-]+)\/index\.html#entry-\d+">/gu)].map((m) => m[1]);
    expect(titles[0]).toBe("2021-01-04");
    expect(titles.at(-1)).toBe("2019-12-30");
    const withLg = issues.filter((i) => [...i.entries, ...i.extras].some((e) => e.category === "LG")).map((i) => i.date);
    expect(new Set(titles)).toEqual(new Set(withLg));
    expect(titles).toHaveLength(issues.flatMap((i) => [...i.entries, ...i.extras]).filter((e) => e.category === "LG").length);
    expect(visibleText(lg)).toContain("机器学习");
    expect(visibleText(lg)).toContain("Tree-structured Ising models can be learned efficiently");
    expect(lg).toContain('href="https://example.org/digest/categories/lg/feed.xml"');
    expect(lg).toContain('href="https://example.org/digest/categories/lg/atom.xml"');
    expect(lg).toContain('href="https://example.org/digest/categories/lg/feed.json"');
    // IR appears only in the Markdown issue, which has no legend: the page still exists, named by its tag.
    expect(visibleText(page(files, "categories/ir/index.html"))).toContain("Dense Passage Retrieval");
    expect(files.filter((f) => f.path.startsWith("categories/")).map((f) => f.path).sort()).toEqual(
      ["as", "cl", "cv", "ir", "lg", "ro"].map((t) => `categories/${t}/index.html`),
    );
  });

  it("embeds a JSON search index that no text in it can break out of", () => {
    const hostile = makeIssue("2021-05-05", [makeEntry(1, { title: "</script><script>alert(1)</script>" })]);
    const html = page(renderArchive([hostile], config), "index.html");
    const json = /<script type="application\/json" id="search-index">([\s\S]*?)<\/script>/u.exec(html)![1]!;
    expect(json).not.toContain("</script");
    const parsed = JSON.parse(json) as { date: string; text: string }[];
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.date).toBe("2021-05-05");
    expect(parsed[0]!.text).toContain("</script><script>alert(1)</script>");
    expect(html.match(/<script/gu)).toHaveLength(2);
  });
});
