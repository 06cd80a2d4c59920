import { parseFeed } from "@rowanmanning/feed-parser";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/model/issue.js";
import { renderFeeds } from "../../src/render/feeds.js";
import { haveJing, makeIssue, parseXml, testConfig, validateAtom } from "./feed-fixtures.js";

const site = "https://example.org/digest/";

/** Daily issues from 2020-10-20 to 2021-01-10, more in December than `feed.length`. */
function manyIssues(): Issue[] {
  const issues: Issue[] = [];
  for (let day = Date.UTC(2020, 9, 20); day <= Date.UTC(2021, 0, 10); day += 86_400_000) {
    issues.push(makeIssue(new Date(day).toISOString().slice(0, 10)));
  }
  return issues;
}

type AtomDoc = { feed: { link: Record<string, string>[]; entry?: { id: string }[]; "fh:archive"?: unknown } };

function linkOf(doc: AtomDoc, rel: string): string | undefined {
  return doc.feed.link.find((l) => l["@rel"] === rel)?.["@href"];
}

describe("the whole history as RFC 5005 archived feeds", () => {
  const issues = manyIssues();
  const files = new Map(renderFeeds(issues, testConfig({ feed: { length: 5 } })).map((f) => [f.path, String(f.contents)]));
  const byUrl = (url: string) => {
    const path = url.slice(site.length);
    const contents = files.get(path);
    if (contents === undefined) throw new Error(`${url} is linked but not written`);
    return contents;
  };

  it("walking prev-archive from atom.xml reaches every issue ever published, each page marked as an archive", () => {
    const subscription = parseXml(files.get("atom.xml")!) as AtomDoc;
    expect(subscription.feed.entry).toHaveLength(5);
    const seen = new Set(subscription.feed.entry!.map((e) => e.id));
    const pages: string[] = [];
    for (let url = linkOf(subscription, "prev-archive"); url; ) {
      const page = parseXml(byUrl(url)) as AtomDoc;
      pages.push(url);
      expect(page.feed).toHaveProperty("fh:archive");
      expect(linkOf(page, "current")).toBe(`${site}atom.xml`);
      expect(linkOf(page, "self")).toBe(url);
      for (const entry of page.feed.entry ?? []) seen.add(entry.id);
      url = linkOf(page, "prev-archive");
    }
    expect(pages).toEqual(["2021-01", "2020-12", "2020-11", "2020-10"].map((m) => `${site}feed-archive/${m}.xml`));
    expect([...seen].sort()).toEqual(issues.map((i) => `${site}issues/${i.date}/`).sort());
  });

  it("pages link forward with next-archive, and a month's page holds exactly that month's issues, newest first", () => {
    const november = parseXml(files.get("feed-archive/2020-11.xml")!) as AtomDoc;
    expect(linkOf(november, "next-archive")).toBe(`${site}feed-archive/2020-12.xml`);
    expect(linkOf(november, "prev-archive")).toBe(`${site}feed-archive/2020-10.xml`);
    const expected = issues.filter((i) => i.date.startsWith("2020-11")).map((i) => `${site}issues/${i.date}/`).reverse();
    expect(november.feed.entry!.map((e) => e.id)).toEqual(expected);
    expect(linkOf(parseXml(files.get("feed-archive/2021-01.xml")!) as AtomDoc, "next-archive")).toBeUndefined();
    expect(linkOf(parseXml(files.get("feed-archive/2020-10.xml")!) as AtomDoc, "prev-archive")).toBeUndefined();
  });

  it("a page of a finished month does not change when later issues are added", () => {
    const fewer = new Map(renderFeeds(issues.filter((i) => i.date < "2021-01-01"), testConfig({ feed: { length: 5 } })).map((f) => [f.path, String(f.contents)]));
    expect(files.get("feed-archive/2020-10.xml")).toBe(fewer.get("feed-archive/2020-10.xml"));
    expect(files.get("feed-archive/2020-11.xml")).toBe(fewer.get("feed-archive/2020-11.xml"));
  });

  it.skipIf(!haveJing)("every archive page is valid RFC 4287 (jing; needs ../shared)", async () => {
    const pages = [...files].filter(([p]) => p.startsWith("feed-archive/")).map(([path, contents]) => ({ path, contents }));
    expect(pages).toHaveLength(4);
    expect(await validateAtom(pages)).toBe("");
  });
});

describe("optional feed parts", () => {
  it("a WebSub hub, when configured, is announced in RSS, Atom and JSON Feed", () => {
    const config = testConfig({ feed: { hub: "https://hub.example.net/" }, site: { icon: "https://example.org/icon.png" } });
    const files = new Map(renderFeeds([makeIssue("2020-10-30")], config).map((f) => [f.path, String(f.contents)]));
    const atom = parseXml(files.get("atom.xml")!) as AtomDoc & { feed: { icon: string; logo: string } };
    expect(linkOf(atom, "hub")).toBe("https://hub.example.net/");
    expect(atom.feed.icon).toBe("https://example.org/icon.png");
    const rss = parseXml(files.get("feed.xml")!) as { rss: { channel: { "atom:link": Record<string, string>[]; image: { url: string } } } };
    expect(rss.rss.channel["atom:link"].map((l) => l["@rel"])).toEqual(expect.arrayContaining(["self", "hub", "alternate"]));
    expect(rss.rss.channel.image.url).toBe("https://example.org/icon.png");
    const json = JSON.parse(files.get("feed.json")!) as { hubs: unknown; icon: string };
    expect(json.hubs).toEqual([{ type: "WebSub", url: "https://hub.example.net/" }]);
    expect(json.icon).toBe("https://example.org/icon.png");
  });

  it("without hub or icon, none is written", () => {
    const files = new Map(renderFeeds([makeIssue("2020-10-30")], testConfig()).map((f) => [f.path, String(f.contents)]));
    expect(files.get("atom.xml")).not.toMatch(/rel="hub"|<icon>|<logo>/u);
    expect(JSON.parse(files.get("feed.json")!)).not.toHaveProperty("hubs");
  });

  it("every feed names the XSLT stylesheet relative to itself, and the stylesheet is well-formed XSLT for RSS and Atom", () => {
    const files = new Map(renderFeeds([makeIssue("2020-10-30")], testConfig()).map((f) => [f.path, String(f.contents)]));
    expect(files.get("feed.xml")).toContain(`<?xml-stylesheet href="feed.xsl" type="text/xsl"?>`);
    expect(files.get("atom.xml")).toContain(`<?xml-stylesheet href="feed.xsl" type="text/xsl"?>`);
    expect(files.get("categories/lg/atom.xml")).toContain(`<?xml-stylesheet href="../../feed.xsl" type="text/xsl"?>`);
    expect(files.get("feed-archive/2020-10.xml")).toContain(`<?xml-stylesheet href="../feed.xsl" type="text/xsl"?>`);
    const xsl = files.get("feed.xsl")!;
    expect(XMLValidator.validate(xsl)).toBe(true);
    expect(xsl).toContain(`match="item"`);
    expect(xsl).toContain(`match="atom:entry"`);
  });

  it("RSS and Atom name the feed's generator and link to the other formats", () => {
    const files = new Map(renderFeeds([makeIssue("2020-10-30")], testConfig()).map((f) => [f.path, String(f.contents)]));
    const rss = parseFeed(files.get("categories/lg/feed.xml")!);
    expect(rss.generator?.label).toBe("letterpress");
    expect(rss.self).toBe(`${site}categories/lg/feed.xml`);
    const atom = parseXml(files.get("categories/lg/atom.xml")!) as AtomDoc;
    expect(atom.feed.link.filter((l) => l["@rel"] === "alternate").map((l) => l["@href"])).toEqual([
      site,
      `${site}categories/lg/feed.xml`,
      `${site}categories/lg/feed.json`,
    ]);
  });
});
