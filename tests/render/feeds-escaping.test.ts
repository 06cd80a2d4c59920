/**
 * The defects of `feed` 6.0.0 (and the xml-js 1.6 it writes with) that
 * letterpress guards against, each checked by parsing the output for real.
 */
import { parseFeed } from "@rowanmanning/feed-parser";
import { XMLValidator } from "fast-xml-parser";
import { parseJsonFeed } from "feedsmith";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Issue } from "../../src/model/issue.js";
import { mainFeed } from "../../src/render/feed-document.js";
import { renderFeeds, writeAtom, writeRss } from "../../src/render/feeds.js";
import { checkWellFormed, haveJing, haveJingBinary, makeIssue, parseXml, testConfig, validateAtom } from "./feed-fixtures.js";

/** Two `]]>`, markup characters, quotes, an emoji, a literal entity and two control characters. */
const NASTY = `Beyond <eos> & "Stop" ]]> then ]]> again 😀 'q' AT&amp;T\u0001 end\u000B.`;
/** What a reader must show: the same text without the characters XML 1.0 cannot carry. */
const SHOWN = `Beyond <eos> & "Stop" ]]> then ]]> again 😀 'q' AT&amp;T end.`;

function nastyIssue(): Issue {
  const issue = makeIssue("2020-10-30", { title: NASTY, summary: NASTY });
  issue.entries[0] = { ...issue.entries[0]!, title: NASTY, chineseTitle: NASTY, summary: NASTY, abstract: NASTY, authors: [NASTY] };
  return issue;
}

function render(issues: Issue[], config = testConfig()) {
  return new Map(renderFeeds(issues, config).map((f) => [f.path, String(f.contents)]));
}

type Rss = { rss: { channel: { item: { title: string; description: string; "content:encoded": string; pubDate: string }[] } } };
type Atom = { feed: { "@xml:lang"?: string; updated: string; entry: { title: { "#text": string; "@type": string }; summary: { "#text": string }; content: { "#text": string }; updated: string }[] } };

describe("text that feed 6 would break", () => {
  const files = render([nastyIssue()]);

  it("every XML output is free of XML-forbidden characters and parses", () => {
    for (const [path, xml] of files) {
      if (!path.endsWith(".xml")) continue;
      expect(XMLValidator.validate(xml), path).toBe(true);
      expect(xml, path).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/u);
    }
  });

  it.skipIf(!haveJingBinary)("every XML output is well-formed XML 1.0 by a strict parser (jing)", async () => {
    const xml = [...files].filter(([p]) => p.endsWith(".xml") || p.endsWith(".xsl")).map(([path, contents]) => ({ path, contents }));
    expect(xml.length).toBeGreaterThan(5);
    expect(await checkWellFormed(xml)).toBe("");
  });

  it("RSS: title and description come back exactly, with both ]]> and the literal &amp;", () => {
    const item = (parseXml(files.get("feed.xml")!) as Rss).rss.channel.item[0]!;
    expect(item.title).toBe(`2020-10-30 · ${SHOWN}`);
    // The description is HTML by RSS custom: decoded once more it is the text.
    expect(item.description).toBe(SHOWN.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;"));
    expect(item["content:encoded"]).toContain("Beyond &lt;eos&gt; &amp; &quot;Stop&quot; ]]&gt; then ]]&gt; again 😀");
  });

  it("RSS and Atom read by @rowanmanning/feed-parser show the title as written", () => {
    // feed-parser decodes entities once more than XML does, so the literal
    // `&amp;` is left out of this comparison; the checks above cover it.
    const files2 = render([makeIssue("2020-10-30", { title: `Beyond <eos> & "Stop" ]]> then ]]> again 😀\u0001` })]);
    for (const path of ["feed.xml", "atom.xml"]) {
      expect(parseFeed(files2.get(path)!).items[0]!.title, path).toBe(`2020-10-30 · Beyond <eos> & "Stop" ]]> then ]]> again 😀`);
    }
  });

  it("Atom: titles and summaries are type=text and come back exactly; content is HTML of the same text", () => {
    const entry = (parseXml(files.get("atom.xml")!) as Atom).feed.entry[0]!;
    expect(entry.title["@type"]).toBe("text");
    expect(entry.title["#text"]).toBe(`2020-10-30 · ${SHOWN}`);
    expect(entry.summary["#text"]).toBe(SHOWN);
    expect(entry.content["#text"]).toContain("<p>Beyond &lt;eos&gt; &amp; &quot;Stop&quot; ]]&gt; then ]]&gt; again 😀 'q' AT&amp;amp;T end.</p>");
  });

  it("JSON Feed: the same text, parsed by feedsmith", () => {
    const feed = parseJsonFeed(JSON.parse(files.get("feed.json")!));
    expect(feed.items?.[0]?.title).toBe(`2020-10-30 · ${SHOWN}`);
    expect(feed.items?.[0]?.summary).toBe(SHOWN);
    const category = parseJsonFeed(JSON.parse(files.get("categories/lg/feed.json")!));
    expect(category.items?.[0]?.title).toBe(SHOWN);
  });

  it.skipIf(!haveJing)("Atom with this text is still valid RFC 4287 (jing; needs ../shared)", async () => {
    const atoms = [...files].filter(([p]) => p.endsWith("atom.xml") || p.startsWith("feed-archive/")).map(([path, contents]) => ({ path, contents }));
    expect(await validateAtom(atoms)).toBe("");
  });
});

describe("item content, written as CDATA sections", () => {
  // Our renderers escape every text, so their HTML never holds a literal `]]>`; the feeds hold up if it ever does.
  const html = `<p>a ]]> b</p><pre>]]>]]></pre>\u0001<p>&lt;eos&gt; &amp; 😀</p>`;
  const shown = `<p>a ]]> b</p><pre>]]>]]></pre><p>&lt;eos&gt; &amp; 😀</p>`;
  const doc = mainFeed([makeIssue("2020-10-30")], testConfig())!;
  doc.items[0] = { ...doc.items[0]!, contentHtml: html };
  const rss = String(writeRss(doc));
  const atom = String(writeAtom(doc));

  it("come back exactly, ]]> included, without the characters XML cannot carry", () => {
    expect(rss).toContain("<![CDATA[");
    expect((parseXml(rss) as Rss).rss.channel.item[0]!["content:encoded"]).toBe(shown);
    expect((parseXml(atom) as Atom).feed.entry[0]!.content["#text"]).toBe(shown);
    // A feed reader's parser too (it decodes entities once more, so only the part without any is compared).
    expect(parseFeed(atom).items[0]!.content).toContain("<p>a ]]> b</p><pre>]]>]]></pre>");
  });

  it.skipIf(!haveJingBinary)("leave the XML well-formed (jing)", async () => {
    expect(await checkWellFormed([{ path: "feed.xml", contents: rss }, { path: "atom.xml", contents: atom }])).toBe("");
  });
});

describe("what feed 6 leaves out or gets wrong about the feed", () => {
  afterEach(() => vi.useRealTimers());

  it("Atom gets xml:lang from site.language on every document", () => {
    const files = render([makeIssue("2020-10-30")], testConfig({ site: { language: "en-GB" } }));
    for (const path of ["atom.xml", "categories/lg/atom.xml", "feed-archive/2020-10.xml"]) {
      expect((parseXml(files.get(path)!) as Atom).feed["@xml:lang"], path).toBe("en-GB");
    }
  });

  it("dates keep the site's offset instead of being turned into UTC", () => {
    const files = render([makeIssue("2021-03-14")], testConfig({ site: { timezone: "America/New_York", publishTime: "02:30" } }));
    const atom = (parseXml(files.get("atom.xml")!) as Atom).feed;
    expect(atom.updated).toBe("2021-03-14T03:30:00-04:00");
    expect(atom.entry[0]!.updated).toBe("2021-03-14T03:30:00-04:00");
    expect((parseXml(files.get("feed.xml")!) as Rss).rss.channel.item[0]!.pubDate).toBe("Sun, 14 Mar 2021 03:30:00 -0400");
    expect((JSON.parse(files.get("feed.json")!) as { items: { date_published: string }[] }).items[0]!.date_published).toBe("2021-03-14T03:30:00-04:00");
  });

  it("a site in UTC writes Z and +0000", () => {
    const files = render([makeIssue("2020-10-30")], testConfig({ site: { timezone: "UTC" } }));
    expect((parseXml(files.get("atom.xml")!) as Atom).feed.updated).toBe("2020-10-30T08:00:00Z");
    expect((parseXml(files.get("feed.xml")!) as Rss).rss.channel.item[0]!.pubDate).toBe("Fri, 30 Oct 2020 08:00:00 +0000");
  });

  it("updated is the newest item's date, never the build time", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-07-04T12:00:00Z"));
    const files = render([makeIssue("2020-10-30"), makeIssue("2020-11-02")]);
    for (const [path, contents] of files) expect(contents, path).not.toContain("2031");
    expect((parseXml(files.get("atom.xml")!) as Atom).feed.updated).toBe("2020-11-02T08:00:00+08:00");
    expect(parseFeed(files.get("feed.xml")!).updated?.toISOString()).toBe("2020-11-02T00:00:00.000Z");
    expect((parseXml(files.get("categories/lg/atom.xml")!) as Atom).feed.updated).toBe("2020-11-02T08:00:00+08:00");
  });
});
