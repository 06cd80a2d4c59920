/**
 * The defects of `feed` 6.0.0 that `src/render/feeds.ts` works around, shown
 * on `feed` itself. When one of these tests fails after an upgrade, `feed`
 * has fixed that defect and the matching workaround in feeds.ts can go.
 * (This test imports `feed` only to watch it; src/ imports it in feeds.ts alone.)
 */
import { Feed } from "feed";
import { describe, expect, it, vi } from "vitest";
import { checkWellFormed, haveJingBinary } from "./feed-fixtures.js";

function feedWithItemTitle(title: string): Feed {
  const feed = new Feed({ title: "t", id: "https://example.org/", link: "https://example.org/", updated: new Date("2020-10-30T00:00:00Z") });
  feed.addItem({ title, link: "https://example.org/1", date: new Date("2020-10-30T00:00:00Z") });
  return feed;
}

describe("feed 6.0.0 as it is", () => {
  it.skipIf(!haveJingBinary)("a second ]]> in a title, or a control character, makes the XML ill-formed", async () => {
    expect(await checkWellFormed([{ path: "cdata.xml", contents: feedWithItemTitle("a ]]> b ]]> c").rss2() }])).toContain('"]]>" must not appear');
    expect(await checkWellFormed([{ path: "control.xml", contents: feedWithItemTitle("a\u0001").atom1() }])).toContain("invalid XML character");
  });

  it("writes dates in UTC, Atom without xml:lang, and updated from the clock when none is given", () => {
    const feed = feedWithItemTitle("a");
    expect(feed.atom1()).toContain("<updated>2020-10-30T00:00:00.000Z</updated>");
    expect(feed.rss2()).toContain("<pubDate>Fri, 30 Oct 2020 00:00:00 GMT</pubDate>");
    expect(new Feed({ title: "t", id: "https://example.org/", language: "zh-CN" }).atom1()).toMatch(/<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">/u);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-07-04T12:00:00Z"));
    try {
      expect(new Feed({ title: "t", id: "https://example.org/" }).atom1()).toContain("<updated>2031-07-04T12:00:00.000Z</updated>");
    } finally {
      vi.useRealTimers();
    }
  });

  it("writes a literal &amp; in text as &amp; (shown as &), losing the text", () => {
    expect(new Feed({ title: "AT&amp;T", id: "https://example.org/" }).atom1()).toContain("<title>AT&amp;T</title>");
  });

  it("writes JSON Feed 1.0", () => {
    expect(JSON.parse(feedWithItemTitle("a").json1())).toHaveProperty("version", "https://jsonfeed.org/version/1");
  });
});
