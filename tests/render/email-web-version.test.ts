import { describe, expect, it } from "vitest";
import { neighboursIn, renderIssuePage } from "../../src/render/issue-page.js";
import { loadSampleIssues, makeEntry, makeIssue, testConfig, visibleText } from "./email-fixtures.js";

const config = testConfig();

describe("the web version of an issue", async () => {
  const issues = await loadSampleIssues();
  const [first, middle, last] = issues as [typeof issues[0], typeof issues[0], typeof issues[0]];

  it("is written to issues/DATE/index.html and links the previous and next issues", () => {
    const page = renderIssuePage(middle, neighboursIn(issues, middle.date), config);
    expect(page.path).toBe("issues/2020-11-02/index.html");
    const html = String(page.contents);
    expect(html).toContain('<a rel="prev" href="../2020-10-30/index.html">');
    expect(html).toContain('<a rel="next" href="../2020-12-01/index.html">');
    expect(String(renderIssuePage(first, neighboursIn(issues, first.date), config).contents)).not.toContain('rel="prev"');
    expect(String(renderIssuePage(last, neighboursIn(issues, last.date), config).contents)).not.toContain('rel="next"');
  });

  it("announces the site's feeds and its categories' feeds", () => {
    const html = String(renderIssuePage(first, neighboursIn(issues, first.date), config).contents);
    expect(html).toContain('<link rel="alternate" type="application/rss+xml" title="RSS" href="https://example.org/digest/feed.xml">');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml" title="Atom" href="https://example.org/digest/atom.xml">');
    expect(html).toContain('<link rel="alternate" type="application/feed+json" title="JSON Feed" href="https://example.org/digest/feed.json">');
    expect(html).toContain('href="https://example.org/digest/categories/lg/atom.xml"');
    expect(html).toContain('href="https://example.org/digest/categories/cl/feed.json"');
  });

  it("has an Open Graph title and description, and no unsubscribe link", () => {
    const html = String(renderIssuePage(middle, neighboursIn(issues, middle.date), config).contents);
    expect(html).toContain('<meta property="og:title" content="周末特刊:语言模型与&quot;&lt;eos&gt;&quot;之外">');
    expect(html).toContain('<meta property="og:description" content="三篇关于语言模型、检索与评测的论文,外加编辑的一点说明。">');
    expect(html).toContain('<meta property="og:url" content="https://example.org/digest/issues/2020-11-02/">');
    expect(html.toLowerCase()).not.toContain("unsubscribe");
    expect(html).not.toContain("letterpress.invalid");
  });

  it("renders Markdown bodies with raw HTML shown as text, and images beside the issue by absolute URL", () => {
    const html = String(renderIssuePage(middle, neighboursIn(issues, middle.date), config).contents);
    expect(html).toContain("<code>&lt;eos&gt;</code>");
    expect(html).toContain("<em>without</em>");
    expect(html).toContain("<li>length oracle experiments on SCAN and Dyck-(2, 4);</li>");
    expect(html).toContain('src="https://example.org/digest/issues/2020-11-02/f01.png"');

    const hostile = makeIssue("2021-01-05", [
      makeEntry(1, { bodyMarkdown: 'Text <script>alert(1)</script> and <img src=x onerror="alert(2)">.\n\n[bad](javascript:alert(3))' }),
    ]);
    const page = String(renderIssuePage(hostile, neighboursIn([hostile], hostile.date), config).contents);
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain('href="javascript:');
    expect(visibleText(page)).toContain('Text <script>alert(1)</script> and <img src=x onerror="alert(2)">.');
  });

  it("resolves an image inside a Markdown body against its own page, page after page", () => {
    const page = (date: string) => {
      const issue = makeIssue(date, [makeEntry(1, { bodyMarkdown: "See ![chart](figs/c.png) here." })]);
      return String(renderIssuePage(issue, neighboursIn([issue], issue.date), config).contents);
    };
    expect(page("2021-01-05")).toContain('<img src="https://example.org/digest/issues/2021-01-05/figs/c.png" alt="chart" loading="lazy">');
    expect(page("2021-01-06")).toContain('<img src="https://example.org/digest/issues/2021-01-06/figs/c.png" alt="chart" loading="lazy">');
  });

  it("gives every abstract in full and marks starred entries", () => {
    const html = String(renderIssuePage(first, neighboursIn(issues, first.date), config).contents);
    for (const entry of first.entries) expect(visibleText(html)).toContain(entry.abstract.replace(/\s+/gu, " ").trim());
    expect((html.match(/class="entry starred"/gu) ?? []).length).toBe(first.entries.filter((e) => e.stars > 0).length + first.extras.filter((e) => e.stars > 0).length);
    expect(html).toContain('id="entry-1"');
  });
});
