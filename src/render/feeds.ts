import { Feed, type Item } from "feed";
import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import type { PublishedAt } from "./dates.js";
import { archiveFeeds, type FeedArchivePage } from "./feed-archive.js";
import { categoryFeedIssues, categoryFeeds, mainFeed, type FeedDocument } from "./feed-document.js";
import { FEED_STYLESHEET, FEED_STYLESHEET_PATH } from "./feed-stylesheet.js";
import { renderJsonFeed } from "./json-feed.js";
import { textPieces, type OutputFile, type TextPieces } from "./output-file.js";
import { catalogOf, contentKeys, renderUnits, type CatalogedIssue, type IssueCatalog, type SiteUnit } from "./site-unit.js";
import { dropXmlForbidden, escapeMarkup } from "./xml-text.js";

/**
 * The feeds renderer: RSS 2.0 and Atom 1.0 written by `feed` (the only module
 * that imports it), JSON Feed 1.1 by `json-feed.ts`, for the newest issues,
 * each category and the monthly archive, plus the XSLT stylesheet a browser
 * uses to show a feed as a page. Pure: issues and configuration in, files out.
 */
export function renderFeeds(issues: readonly Issue[], config: Config): OutputFile[] {
  return [...renderUnits(feedUnits(catalogOf(issues, config), config))];
}

/**
 * The feeds as units the build can skip when their issues did not change:
 * the main feed, the category feeds, one unit per month of the RFC 5005
 * archive (each page carries the full content of a month of issues, so a
 * new issue rewrites one or two pages, not ten years of them), the stylesheet.
 */
export function feedUnits(catalog: IssueCatalog, config: Config): SiteUnit[] {
  if (catalog.issues.length === 0) return [];
  const archive = archiveFeeds(catalog, config);
  const newest = catalog.issues.slice(-config.feed.length);
  const inCategoryFeeds = categoryFeedIssues(catalog, config);
  const load = (issues: readonly CatalogedIssue[]) => issues.map((issue) => catalog.load(issue.date));
  return [
    {
      id: "feed:main",
      inputs: { issues: contentKeys(newest), prevArchive: archive.newestPage ?? null },
      *render() {
        const main = mainFeed(load(newest), config)!;
        if (archive.newestPage) main.archive = { isArchive: false, prevArchive: archive.newestPage };
        yield* writeDocument(main);
      },
    },
    {
      id: "feed:categories",
      inputs: contentKeys(inCategoryFeeds),
      *render() {
        for (const doc of categoryFeeds(load(inCategoryFeeds), config)) yield* writeDocument(doc);
      },
    },
    ...archive.pages.map(archivePageUnit),
    { id: "feed:stylesheet", inputs: null, render: () => [{ path: FEED_STYLESHEET_PATH, contents: FEED_STYLESHEET }] },
  ];
}

/** One month of the feed archive, as a unit: made again when its issues or its neighbouring months change. */
export function archivePageUnit(page: FeedArchivePage): SiteUnit {
  return {
    id: `feed-archive:${page.month}`,
    inputs: { issues: contentKeys(page.issues), older: page.older ?? null, newer: page.newer ?? null },
    render: () => writeDocument(page.document()),
  };
}

/** A feed in each of its formats. */
function* writeDocument(doc: FeedDocument): Generator<OutputFile> {
  if (doc.paths.rss) yield { path: doc.paths.rss, contents: writeRss(doc) };
  yield { path: doc.paths.atom, contents: writeAtom(doc) };
  // The document and its final newline (`TextPieces`): the document is not copied to add it.
  if (doc.paths.json) yield { path: doc.paths.json, contents: textPieces(renderJsonFeed(doc), "\n") };
}

const GENERATOR = "letterpress";

/*
 * Why the text goes through placeholders. `feed` 6.0.0 lays out the
 * elements well, but writes text through xml-js 1.6, which:
 *  - splits only the first `]]>` in CDATA, so a second one ends the section
 *    and breaks the XML (js2xml.js `writeCdata`: `replace(']]>', …)` without /g);
 *  - turns `&amp;` written in text into `&` before escaping
 *    ("desanitize", js2xml.js `writeText`), so "AT&amp;T" comes out as "AT&T";
 *  - escapes only `"` in attribute values (a `<` in a category label breaks
 *    the XML) and lets XML-forbidden control characters through;
 *  - puts one title into RSS (plain text) and Atom (`type="html"`), which
 *    would need different strings for `Beyond <eos>`; Atom's become
 *    `type="text"`.
 * So every piece of text is handed to `feed` as an opaque placeholder
 * (private-use characters and digits, which no step escapes or alters) and
 * replaced afterwards, CDATA wrapper included, by text we escape ourselves
 * (an item's HTML content by a CDATA section of our own, `]]>` split).
 * Likewise for dates: `feed` writes every date in UTC (`toISOString`,
 * `toUTCString`), so each is replaced by its spelling with the site's
 * offset; and Atom gets its `xml:lang` and the links `feed` has no option
 * for through `rights` / `copyright`, which we never use otherwise.
 * `fill` checks that nothing of `feed`'s own spelling is left, so a `feed`
 * upgrade that changes its output fails loudly in the tests.
 */
const SLOT = /<!\[CDATA\[\uE000(\d+)\uE001\]\]>|\uE000(\d+)\uE001/gu;
const EXTRA_MARK = "\uE002";

class TextSlots {
  readonly #values: string[] = [];
  /** Slots holding markup, written as CDATA sections rather than escaped. */
  readonly #markup = new Set<number>();

  /** A placeholder for `text`, which will stand for exactly that character data. */
  put(text: string): string {
    this.#values.push(text);
    return `\uE000${this.#values.length - 1}\uE001`;
  }

  /**
   * A placeholder for HTML (an item's content), which will stand for the
   * same character data as `put` gives, in a CDATA section. Escaping the
   * markup of a ten-year archive's content made four copies of each issue's
   * HTML, a gigabyte in all; a CDATA section needs none, and a tenth fewer bytes.
   */
  putMarkup(html: string): string {
    this.#markup.add(this.#values.length);
    return this.put(html);
  }

  /**
   * The document with each placeholder's text in its place, escaped, and a
   * final newline, in pieces (`TextPieces`): the text between placeholders,
   * then a text, and so on. A month of the feed archive is a megabyte of
   * content; made into one string, it took more time than the rest of the
   * feed's writing (a string that size is allocated on pages of its own).
   */
  fill(xml: string): TextPieces {
    const pieces: string[] = [];
    let last = 0;
    for (const match of xml.matchAll(SLOT)) {
      const slot = Number(match[1] ?? match[2]);
      const value = this.#values[slot]!;
      pieces.push(xml.slice(last, match.index));
      if (this.#markup.has(slot)) pieces.push("<![CDATA[", cdataText(value), "]]>");
      else pieces.push(escapeMarkup(value));
      last = match.index + match[0].length;
    }
    pieces.push(xml.slice(last), "\n");
    return textPieces(...pieces);
  }
}

/**
 * Text for a CDATA section: what XML cannot carry is dropped, as
 * `escapeMarkup` drops it, and a `]]>` (which would end the section) is
 * split across two sections, so a parser reads back exactly the text.
 */
function cdataText(text: string): string {
  const kept = dropXmlForbidden(text);
  return kept.includes("]]>") ? kept.replaceAll("]]>", "]]]]><![CDATA[>") : kept;
}

/** A date as `feed` writes it, between tags: ISO 8601 in UTC (Atom) or RFC 822 in GMT (RSS). */
const FEED_DATE = />(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z|\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT)</gu;

class DateSpellings {
  readonly #spellings = new Map<string, string>();

  /** The date to hand to `feed`; `fill` rewrites what `feed` makes of it. */
  put(at: PublishedAt): Date {
    this.#spellings.set(at.date.toISOString(), at.iso);
    this.#spellings.set(at.date.toUTCString(), at.rfc822);
    return at.date;
  }

  /** Runs before the text is filled in, so only `feed`'s own text is checked. */
  fill(xml: string): string {
    // One pass over the document: replacing each date in turn was quadratic in the number of items.
    const result = xml.replace(FEED_DATE, (whole, utc: string) => {
      const withOffset = this.#spellings.get(utc);
      return withOffset === undefined ? whole : `>${withOffset}<`;
    });
    if (/>(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z|\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT)</u.test(result)) throw new Error("a date written by `feed` was not given its offset: has `feed`'s output changed?");
    return result;
  }
}

/** Replaces `target`, which must occur exactly once, by `replacement`. */
function replaceOnce(xml: string, target: string, replacement: string): string {
  const at = xml.indexOf(target);
  if (at < 0 || xml.indexOf(target, at + 1) >= 0) throw new Error(`expected one ${JSON.stringify(target)} in the output of \`feed\`: has it changed?`);
  return xml.slice(0, at) + replacement + xml.slice(at + target.length);
}

function attributes(pairs: Record<string, string | undefined>): string {
  return Object.entries(pairs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeMarkup(v!)}"`)
    .join("");
}

/** The stylesheet's address relative to the feed, so it works under any site path and in preview. */
function stylesheetHref(path: string): string {
  return `${"../".repeat(path.split("/").length - 1)}${FEED_STYLESHEET_PATH}`;
}

const MEDIA_TYPES = { rss: "application/rss+xml", atom: "application/atom+xml", json: "application/feed+json" } as const;

/** Links to the feed's other formats: `alternate` with their media types. */
function otherFormats(doc: FeedDocument, self: keyof typeof MEDIA_TYPES): { rel: string; type: string; href: string }[] {
  return (["rss", "atom", "json"] as const)
    .filter((format) => format !== self && doc.urls[format])
    .map((format) => ({ rel: "alternate", type: MEDIA_TYPES[format], href: doc.urls[format]! }));
}

/** A `feed` instance for one format, with every text behind a placeholder. */
function buildFeed(doc: FeedDocument, format: "rss" | "atom", slots: TextSlots, dates: DateSpellings, path: string): Feed {
  // RSS titles are plain text; RSS descriptions are HTML by custom (RSS 2.0
  // spec: "entity-encoded HTML is allowed"), so plain text is HTML-escaped
  // once for them. Atom's title and summary are made `type="text"` in
  // `writeAtom`, so they take plain text too.
  const summary = (text: string) => slots.put(format === "rss" ? escapeMarkup(text) : text);
  const feed = new Feed({
    id: doc.archive?.current ?? doc.urls.atom,
    title: slots.put(doc.title),
    description: slots.put(doc.description),
    link: doc.home,
    language: doc.language,
    generator: slots.put(GENERATOR),
    updated: dates.put(doc.updated),
    feedLinks: { atom: doc.urls.atom, ...(doc.urls.rss ? { rss: doc.urls.rss } : {}) },
    ...(doc.hub ? { hub: doc.hub } : {}),
    ...(doc.icon ? { image: doc.icon, favicon: doc.icon } : {}),
    author: { name: slots.put(doc.author) },
    copyright: EXTRA_MARK,
    stylesheet: stylesheetHref(path),
  });
  for (const item of doc.items) {
    const entry: Item = {
      id: item.id,
      title: slots.put(item.title),
      link: item.url,
      description: summary(item.summary),
      content: slots.putMarkup(item.contentHtml),
      date: dates.put(item.published),
      published: dates.put(item.published),
      category: item.categories.map((c) =>
        format === "atom"
          ? { term: slots.put(c.term), ...(c.label ? { name: slots.put(c.label) } : {}), ...(c.scheme ? { scheme: c.scheme } : {}) }
          : { name: slots.put(c.term), ...(c.scheme ? { domain: c.scheme } : {}) },
      ),
    };
    feed.addItem(entry);
  }
  return feed;
}

export function writeRss(doc: FeedDocument): TextPieces {
  if (!doc.paths.rss) throw new Error(`${doc.paths.atom} has no RSS version`);
  const slots = new TextSlots();
  const dates = new DateSpellings();
  let xml = buildFeed(doc, "rss", slots, dates, doc.paths.rss).rss2();
  // RSS 2.0 carries Atom links in the atom namespace, which `feed` declares
  // for its own `atom:link rel="self"`.
  const links = otherFormats(doc, "rss").map((l) => `<atom:link${attributes(l)}/>`);
  xml = replaceOnce(xml, `<copyright>${EXTRA_MARK}</copyright>`, links.join("\n        "));
  return slots.fill(dates.fill(xml));
}

export function writeAtom(doc: FeedDocument): TextPieces {
  const slots = new TextSlots();
  const dates = new DateSpellings();
  let xml = buildFeed(doc, "atom", slots, dates, doc.paths.atom).atom1();
  // RFC 4287 §2: xml:lang on the root sets the language of all its text.
  // RFC 5005 §4: archive pages are marked with fh:archive.
  const archive = doc.archive;
  const root = `<feed${attributes({
    xmlns: "http://www.w3.org/2005/Atom",
    "xml:lang": doc.language,
    ...(archive?.isArchive ? { "xmlns:fh": "http://purl.org/syndication/history/1.0" } : {}),
  })}>`;
  xml = replaceOnce(xml, `<feed xmlns="http://www.w3.org/2005/Atom">`, root);
  const links = [
    ...otherFormats(doc, "atom"),
    ...(archive?.current ? [{ rel: "current", href: archive.current }] : []),
    ...(archive?.prevArchive ? [{ rel: "prev-archive", href: archive.prevArchive }] : []),
    ...(archive?.nextArchive ? [{ rel: "next-archive", href: archive.nextArchive }] : []),
  ].map((l) => `<link${attributes(l)}/>`);
  if (archive?.isArchive) links.push("<fh:archive/>");
  xml = replaceOnce(xml, `<rights>${EXTRA_MARK}</rights>`, links.join("\n    "));
  // `feed` writes entry titles and summaries as `type="html"`; ours are plain
  // text (RFC 4287 §3.1.1.1), which every reader shows exactly as written.
  xml = xml.replaceAll(`<title type="html">`, `<title type="text">`).replaceAll(`<summary type="html">`, `<summary type="text">`);
  return slots.fill(dates.fill(xml));
}
