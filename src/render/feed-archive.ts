import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { MAIN_FEED_PATHS, issueItem, newestFirst, siteFeed, type FeedDocument } from "./feed-document.js";
import { siteUrl } from "./urls.js";

/**
 * The whole history as RFC 5005 §4 archived feed documents: one Atom page per
 * calendar month of issue dates, at `feed-archive/YYYY-MM.xml`, each with
 * `<fh:archive/>`, `current` (the subscription document, `atom.xml`), and
 * `prev-archive`/`next-archive` to its neighbours; `atom.xml` links
 * `prev-archive` to the newest page. A reader walking `prev-archive` from
 * `atom.xml` reaches every issue ever published.
 *
 * RFC 5005 §4 asks that an archive page's entries not change. Every month's
 * page is final once a later month has an issue; the newest month's page is
 * published too, so that no issue is out of reach while that month has more
 * issues than `feed.length`, and it only gains entries until the month ends.
 * Those entries appear in `atom.xml` first, so a subscriber misses none.
 */
export function archivePath(month: string): string {
  return `feed-archive/${month}.xml`;
}

export interface FeedArchive {
  /** Made one at a time as they are read: each page carries the full content of a month of issues. */
  pages: Iterable<FeedDocument>;
  /** The newest page's URL: `atom.xml`'s `prev-archive`. */
  newestPage?: string;
}

export function archiveFeeds(issues: readonly Issue[], config: Config): FeedArchive {
  const byMonth = new Map<string, Issue[]>();
  for (const issue of newestFirst(issues)) {
    const month = issue.date.slice(0, 7);
    const list = byMonth.get(month);
    if (list) list.push(issue);
    else byMonth.set(month, [issue]);
  }
  const months = [...byMonth.keys()].sort();
  const current = siteUrl(config, MAIN_FEED_PATHS.atom);
  const page = (month: string, k: number): FeedDocument => {
    const items = byMonth.get(month)!.map((issue) => issueItem(issue, config));
    const doc = siteFeed(config, { atom: archivePath(month) }, `${config.site.title} · ${month}`, items, items[0]!.published);
    const older = months[k - 1];
    const newer = months[k + 1];
    doc.archive = {
      isArchive: true,
      current,
      ...(older ? { prevArchive: siteUrl(config, archivePath(older)) } : {}),
      ...(newer ? { nextArchive: siteUrl(config, archivePath(newer)) } : {}),
    };
    return doc;
  };
  const pages = {
    *[Symbol.iterator]() {
      for (const [k, month] of months.entries()) yield page(month, k);
    },
  };
  const newest = months.at(-1);
  return { pages, ...(newest ? { newestPage: siteUrl(config, archivePath(newest)) } : {}) };
}
