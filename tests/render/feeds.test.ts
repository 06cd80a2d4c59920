import { parseFeed } from "@rowanmanning/feed-parser";
import { parseJsonFeed } from "feedsmith";
import { beforeAll, describe, expect, it } from "vitest";
import { allEntries, type Issue } from "../../src/model/issue.js";
import { renderFeeds } from "../../src/render/feeds.js";
import type { OutputFile } from "../../src/render/output-file.js";
import { checkWellFormed, haveJing, haveJingBinary, loadExampleIssues, parseXml, testConfig, validateAtom } from "./feed-fixtures.js";

const config = testConfig();
const site = "https://example.org/digest/";
let issues: Issue[];
let files: Map<string, string>;

beforeAll(async () => {
  issues = await loadExampleIssues();
  files = new Map(renderFeeds(issues, config).map((f: OutputFile) => [f.path, String(f.contents)]));
});

function file(path: string): string {
  const contents = files.get(path);
  if (contents === undefined) throw new Error(`no ${path} among ${[...files.keys()].join(", ")}`);
  return contents;
}

/** What the model says each issue item must be, spelled out independently of the renderer. */
function expectedIssueItems() {
  return [...issues]
    .sort((a, b) => b.date.localeCompare(a.date))
    .map((issue) => ({
      id: `${site}issues/${issue.date}/`,
      url: `${site}issues/${issue.date}/`,
      title: issue.title ? `${issue.date} · ${issue.title}` : issue.date,
      iso: `${issue.date}T08:00:00+08:00`,
      instant: new Date(`${issue.date}T00:00:00Z`).getTime(),
    }));
}

describe("main feeds from the example issues", () => {
  it("writes every feed file, each category in lower case, and the stylesheet", () => {
    const tags = [...new Set(issues.flatMap((i) => allEntries(i).flatMap((e) => (e.category ? [e.category.toLowerCase()] : []))))].sort();
    expect(tags.length).toBeGreaterThan(3);
    for (const path of ["feed.xml", "atom.xml", "feed.json", "feed.xsl"]) expect(files.has(path)).toBe(true);
    for (const tag of tags) for (const name of ["feed.xml", "atom.xml", "feed.json"]) expect(files.has(`categories/${tag}/${name}`)).toBe(true);
  });

  it("RSS parses back with @rowanmanning/feed-parser: titles, links, ids and dates match the model", () => {
    const feed = parseFeed(file("feed.xml"));
    expect(feed.title).toBe("Test Digest");
    expect(feed.self).toBe(`${site}feed.xml`);
    expect(feed.language).toBe("zh-CN");
    const expected = expectedIssueItems();
    expect(feed.items.map((i) => ({ id: i.id, url: i.url, title: i.title, at: i.published?.getTime() }))).toEqual(
      expected.map((e) => ({ id: e.id, url: e.url, title: e.title, at: e.instant })),
    );
    expect(feed.updated?.getTime()).toBe(expected[0]!.instant);
  });

  it("RSS dates carry the site's offset, and the title with <, & and quotes round-trips", () => {
    const rss = parseXml(file("feed.xml")) as { rss: { channel: { lastBuildDate: string; item: { pubDate: string; title: string }[] } } };
    expect(rss.rss.channel.lastBuildDate).toBe("Tue, 01 Dec 2020 08:00:00 +0800");
    expect(rss.rss.channel.item.map((i) => i.pubDate)).toEqual(["Tue, 01 Dec 2020 08:00:00 +0800", "Mon, 02 Nov 2020 08:00:00 +0800", "Fri, 30 Oct 2020 08:00:00 +0800"]);
    expect(rss.rss.channel.item[1]!.title).toBe('2020-11-02 · 周末特刊:语言模型与"<eos>"之外');
  });

  it("Atom parses back: ids, links, titles, dates with offsets, xml:lang, self and alternate links", () => {
    const feed = parseFeed(file("atom.xml"));
    const expected = expectedIssueItems();
    expect(feed.items.map((i) => ({ id: i.id, url: i.url, title: i.title, at: i.published?.getTime() }))).toEqual(
      expected.map((e) => ({ id: e.id, url: e.url, title: e.title, at: e.instant })),
    );
    const atom = parseXml(file("atom.xml")) as { feed: Record<string, unknown> & { entry: { published: string; updated: string }[]; link: Record<string, string>[] } };
    expect(atom.feed["@xml:lang"]).toBe("zh-CN");
    expect(atom.feed.updated).toBe(expected[0]!.iso);
    expect(atom.feed.entry.map((e) => e.published)).toEqual(expected.map((e) => e.iso));
    expect(atom.feed.entry.map((e) => e.updated)).toEqual(expected.map((e) => e.iso));
    const links = atom.feed.link.map((l) => `${l["@rel"]} ${l["@type"] ?? ""} ${l["@href"]}`);
    expect(links).toEqual(
      expect.arrayContaining([
        `self  ${site}atom.xml`,
        `alternate application/rss+xml ${site}feed.xml`,
        `alternate application/feed+json ${site}feed.json`,
        `prev-archive  ${site}feed-archive/2020-12.xml`,
      ]),
    );
  });

  it("JSON Feed 1.1 parses back with feedsmith: ids, links, titles and dates match the model", () => {
    const raw = JSON.parse(file("feed.json")) as { version: string; language: string };
    expect(raw.version).toBe("https://jsonfeed.org/version/1.1");
    expect(raw.language).toBe("zh-CN");
    const feed = parseJsonFeed(raw);
    expect(feed.feed_url).toBe(`${site}feed.json`);
    expect(feed.items?.map((i) => ({ id: i.id, url: i.url, title: i.title, at: i.date_published }))).toEqual(
      expectedIssueItems().map((e) => ({ id: e.id, url: e.url, title: e.title, at: e.iso })),
    );
  });

  it("keeps only the newest feed.length issues, newest first", () => {
    const short = new Map(renderFeeds(issues, testConfig({ feed: { length: 2 } })).map((f) => [f.path, String(f.contents)]));
    const feed = parseFeed(short.get("feed.xml")!);
    expect(feed.items.map((i) => i.id)).toEqual(expectedIssueItems().slice(0, 2).map((e) => e.id));
  });

  it("every link and image in the content is absolute", () => {
    for (const path of ["feed.json", "categories/cl/feed.json"]) {
      const json = JSON.parse(file(path)) as { items: { content_html: string }[] };
      for (const item of json.items) {
        const urls = [...item.content_html.matchAll(/(?:href|src)="([^"]*)"/gu)].map((m) => m[1]!);
        expect(urls.length).toBeGreaterThan(0);
        for (const url of urls) expect(url).toMatch(/^https?:\/\//u);
      }
    }
    const weekend = (JSON.parse(file("feed.json")) as { items: { id: string; content_html: string }[] }).items.find((i) => i.id.includes("2020-11-02"));
    expect(weekend?.content_html).toContain(`src="${site}issues/2020-11-02/f01.png"`);
  });
});

describe("category feeds", () => {
  it("hold one item per entry of the category across all issues, with its titles, authors, summary and link", () => {
    const entries = [...issues]
      .sort((a, b) => b.date.localeCompare(a.date))
      .flatMap((issue) => allEntries(issue).filter((e) => e.category === "CL").map((entry) => ({ issue, entry })));
    expect(entries.length).toBeGreaterThan(1);
    const feed = parseFeed(file("categories/cl/feed.xml"));
    expect(feed.items.map((i) => ({ title: i.title, url: i.url, at: i.published?.getTime() }))).toEqual(
      entries.map(({ issue, entry }) => ({ title: entry.title, url: entry.links[0], at: new Date(`${issue.date}T00:00:00Z`).getTime() })),
    );
    const json = JSON.parse(file("categories/cl/feed.json")) as { items: { id: string; content_html: string }[] };
    for (const [k, { issue, entry }] of entries.entries()) {
      const item = json.items[k]!;
      expect(item.id.startsWith(`${site}issues/${issue.date}/#entry-`)).toBe(true);
      expect(item.content_html).toContain(entry.chineseTitle.replaceAll("<", "&lt;").replaceAll(">", "&gt;"));
      for (const author of entry.authors) expect(item.content_html).toContain(author);
    }
    expect(new Set(json.items.map((i) => i.id)).size).toBe(json.items.length);
  });
});

describe("every feed of the example issues", () => {
  it("RSS, Atom and JSON Feed agree on every id, title, link and date, read back by real parsers", () => {
    const feeds = [...files.keys()].filter((p) => p.endsWith("feed.json")).map((p) => p.slice(0, -"feed.json".length));
    expect(feeds.length).toBeGreaterThan(4);
    for (const folder of feeds) {
      const json = parseJsonFeed(JSON.parse(file(`${folder}feed.json`)));
      const fromJson = (json.items ?? []).map((i) => ({ id: i.id, title: i.title, url: i.url, at: new Date(i.date_published!).getTime() }));
      expect(fromJson.length, folder).toBeGreaterThan(0);
      for (const format of ["feed.xml", "atom.xml"]) {
        const feed = parseFeed(file(`${folder}${format}`));
        const items = feed.items.map((i) => ({ id: i.id, title: i.title, url: i.url, at: i.published?.getTime() }));
        expect(items, `${folder}${format}`).toEqual(fromJson);
        expect(feed.self, `${folder}${format}`).toBe(`${site}${folder}${format}`);
      }
      for (const item of fromJson) {
        expect(item.id).toMatch(/^https:\/\/example\.org\/digest\/issues\/\d{4}-\d{2}-\d{2}\/(#entry-[0-9a-f]{12})?$/u);
        expect(item.url).toMatch(/^https?:\/\//u);
      }
      expect(new Set(fromJson.map((i) => i.id)).size, folder).toBe(fromJson.length);
    }
  });
});

describe.skipIf(!haveJingBinary)("well-formed XML by a strict parser (jing)", () => {
  it("every RSS, Atom and XSLT file", async () => {
    const xml = [...files].filter(([p]) => p.endsWith(".xml") || p.endsWith(".xsl")).map(([path, contents]) => ({ path, contents }));
    expect(await checkWellFormed(xml)).toBe("");
  });
});

describe.skipIf(!haveJing)("Atom against RFC 4287's RELAX NG schema (jing; needs ../shared)", () => {
  it("every Atom document is valid: main, categories, every archive page", async () => {
    const atoms = [...files].filter(([path]) => path.endsWith("atom.xml") || path.startsWith("feed-archive/")).map(([path, contents]) => ({ path, contents }));
    expect(atoms.length).toBeGreaterThan(8);
    expect(await validateAtom(atoms)).toBe("");
  });
});

describe("category feeds of a long archive", () => {
  it("keep the newest feed.categoryLength entries, newest first", () => {
    const short = testConfig({ feed: { categoryLength: 2 } });
    const files = renderFeeds(issues, short);
    const lg = JSON.parse(String(files.find((f) => f.path === "categories/lg/feed.json")!.contents)) as { items: { title: string }[] };
    const newest = [...issues]
      .sort((a, b) => b.date.localeCompare(a.date))
      .flatMap((issue) => allEntries(issue).filter((e) => e.category === "LG"))
      .slice(0, 2)
      .map((e) => e.title);
    expect(lg.items.map((i) => i.title)).toEqual(newest);
  });
});
