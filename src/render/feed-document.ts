import type { Config } from "../config/schema.js";
import { sha256Hex } from "../hash.js";
import { compareDates } from "../model/calendar.js";
import { allEntries, categoryName, type Entry, type Issue } from "../model/issue.js";
import { publishedAt, type PublishedAt } from "./dates.js";
import { renderEntryContent, renderIssueContent, summarizeIssue, titleIssue } from "./feed-content.js";
import type { CatalogedIssue, IssueCatalog } from "./site-unit.js";
import { categoryPath, issueUrl, siteUrl } from "./urls.js";

/**
 * One feed as the three formats share it: what every format says, before
 * any of them is written. `feeds.ts` writes RSS and Atom from it,
 * `json-feed.ts` writes JSON Feed 1.1. All text here is plain text, except
 * `contentHtml`; all URLs are absolute.
 */
export interface FeedDocument {
  title: string;
  description: string;
  /** The site's home page: the feed's `alternate` link. */
  home: string;
  language: string;
  author: string;
  icon?: string;
  /** A WebSub hub (`feed.hub`). */
  hub?: string;
  /** Where each format of this feed lives under `out/`; archive pages are Atom only. */
  paths: { rss?: string; atom: string; json?: string };
  /** The same as absolute URLs: each format's `self` link and the others' `alternate`. */
  urls: { rss?: string; atom: string; json?: string };
  /** The newest item's date: never the build time, so a rebuild changes nothing. */
  updated: PublishedAt;
  items: FeedItem[];
  /** RFC 5005 §4 links, as absolute URLs. */
  archive?: { isArchive: boolean; current?: string; prevArchive?: string; nextArchive?: string };
}

export interface FeedItem {
  /** Stable: depends on the issue's date, the site and (for an entry) its link, nothing else. */
  id: string;
  title: string;
  url: string;
  summary: string;
  contentHtml: string;
  categories: { term: string; label?: string; scheme?: string }[];
  published: PublishedAt;
}

export const MAIN_FEED_PATHS = { rss: "feed.xml", atom: "atom.xml", json: "feed.json" } as const;

export function categoryFeedPaths(tag: string) {
  const folder = categoryPath(tag);
  return { rss: `${folder}feed.xml`, atom: `${folder}atom.xml`, json: `${folder}feed.json` };
}

/** The scheme of our category terms (Atom `scheme`, RSS `domain`): the categories' folder. */
function categoryScheme(config: Config): string {
  return siteUrl(config, "categories/");
}

/**
 * The issue's id is its permalink: a function of the site URL and the date
 * alone, so editing the issue, changing `feed.length` or rebuilding never
 * changes it (RFC 4287 §4.2.6: an id must not change).
 */
export function issueItem(issue: Issue, config: Config): FeedItem {
  const url = issueUrl(config, issue.date);
  return {
    id: url,
    title: titleIssue(issue),
    url,
    summary: summarizeIssue(issue),
    contentHtml: renderIssueContent(issue, config),
    categories: issueCategories(issue, config),
    published: publishedAt(issue, config),
  };
}

function issueCategories(issue: Issue, config: Config): FeedItem["categories"] {
  const tags = [...new Set(allEntries(issue).flatMap((e) => (e.category ? [e.category] : [])))];
  return tags.map((tag) => {
    const label = categoryName(issue, tag);
    return { term: tag, ...(label ? { label } : {}), scheme: categoryScheme(config) };
  });
}

/** The common parts of every feed of the site. */
export function siteFeed(config: Config, paths: FeedDocument["paths"], title: string, items: FeedItem[], updated: PublishedAt): FeedDocument {
  return {
    title,
    description: config.site.description,
    home: siteUrl(config),
    language: config.site.language,
    author: config.site.author,
    ...(config.site.icon ? { icon: config.site.icon } : {}),
    ...(config.feed.hub ? { hub: config.feed.hub } : {}),
    paths,
    urls: {
      atom: siteUrl(config, paths.atom),
      ...(paths.rss ? { rss: siteUrl(config, paths.rss) } : {}),
      ...(paths.json ? { json: siteUrl(config, paths.json) } : {}),
    },
    updated,
    items,
  };
}

/** Newest first: issues by date, then entries in the editor's order. */
export function newestFirst(issues: readonly Issue[]): Issue[] {
  return [...issues].sort((a, b) => compareDates(b, a));
}

/** `out/feed.xml`, `atom.xml`, `feed.json`: the newest `feed.length` issues. Absent when there is no issue. */
export function mainFeed(issues: readonly Issue[], config: Config): FeedDocument | undefined {
  const items = newestFirst(issues).slice(0, config.feed.length).map((issue) => issueItem(issue, config));
  if (items.length === 0) return undefined;
  return siteFeed(config, MAIN_FEED_PATHS, config.site.title, items, items[0]!.published);
}

/**
 * `out/categories/<tag>/…`: one feed per category tag that occurs, one item
 * per entry of that category across all issues, the newest
 * `feed.categoryLength` of them. Tags that differ only in
 * case share a feed, since their paths would collide.
 */
export function categoryFeeds(issues: readonly Issue[], config: Config): FeedDocument[] {
  const byTag = new Map<string, { tag: string; name?: string; items: FeedItem[] }>();
  for (const issue of newestFirst(issues)) {
    const keys = new EntryKeys();
    for (const entry of allEntries(issue)) {
      const key = keys.next(entry);
      if (!entry.category) continue;
      const folder = entry.category.toLowerCase();
      const group = byTag.get(folder) ?? { tag: entry.category, items: [] };
      // The name from the newest issue in the feed whose legend gives one.
      if (group.items.length < config.feed.categoryLength) {
        group.name ??= categoryName(issue, entry.category);
        group.items.push(entryItem(issue, entry, key, config));
      }
      byTag.set(folder, group);
    }
  }
  return [...byTag.keys()].sort().map((folder) => {
    const { tag, name, items } = byTag.get(folder)!;
    const title = `${config.site.title} · ${name ? `${name} (${tag})` : tag}`;
    return siteFeed(config, categoryFeedPaths(tag), title, items, items[0]!.published);
  });
}

/**
 * The issues the category feeds are made from: for each category, its
 * newest issues until they hold `feed.categoryLength` of its entries.
 * Read from the issues' archive summaries, so the build loads only these.
 */
export function categoryFeedIssues(catalog: IssueCatalog, config: Config): CatalogedIssue[] {
  const counts = new Map<string, number>();
  const chosen: CatalogedIssue[] = [];
  for (const issue of [...catalog.issues].reverse()) {
    let needed = false;
    for (const { tag, entries } of issue.summary.categories) {
      const folder = tag.toLowerCase();
      const count = counts.get(folder) ?? 0;
      if (count < config.feed.categoryLength) needed = true;
      counts.set(folder, count + entries);
    }
    if (needed) chosen.push(issue);
  }
  return chosen.reverse();
}

function entryItem(issue: Issue, entry: Entry, key: string, config: Config): FeedItem {
  const label = entry.category ? categoryName(issue, entry.category) : undefined;
  return {
    id: `${issueUrl(config, issue.date)}#${key}`,
    title: entry.title,
    url: entry.links.find((l) => /^https?:\/\//u.test(l)) ?? issueUrl(config, issue.date),
    summary: [entry.chineseTitle, entry.summary].filter(Boolean).join("。"),
    contentHtml: renderEntryContent(issue, entry, config),
    categories: entry.category ? [{ term: entry.category, ...(label ? { label } : {}), scheme: categoryScheme(config) }] : [],
    published: publishedAt(issue, config),
  };
}

/**
 * An entry's key within its issue: a short hash of its link (of its title
 * when it has none), so fixing a typo in the abstract or reordering entries
 * keeps the id; a second entry with the same link gets `-2`.
 */
class EntryKeys {
  readonly #seen = new Map<string, number>();
  next(entry: Entry): string {
    const basis = entry.links[0] ?? entry.title;
    const hash = `entry-${sha256Hex(basis).slice(0, 12)}`;
    const count = (this.#seen.get(hash) ?? 0) + 1;
    this.#seen.set(hash, count);
    return count === 1 ? hash : `${hash}-${count}`;
  }
}
