import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { MAIN_FEED_PATHS, issueItem, newestFirst, siteFeed, type FeedDocument } from "./feed-document.js";
import { byPeriod, type CatalogedIssue, type IssueCatalog } from "./site-unit.js";
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
  /** One page per month, oldest first, each made when it is rendered: each carries the full content of a month of issues. */
  pages: FeedArchivePage[];
  /** The newest page's URL: `atom.xml`'s `prev-archive`. */
  newestPage?: string;
}

export interface FeedArchivePage {
  month: string;
  /** The month's issues, oldest first. */
  issues: CatalogedIssue[];
  /** The neighbouring months, which the page links to. */
  older?: string;
  newer?: string;
  document(): FeedDocument;
}

export function archiveFeeds(catalog: IssueCatalog, config: Config): FeedArchive {
  const byMonth = byPeriod(catalog.issues, "month");
  const months = [...byMonth.keys()].sort();
  const pages = months.map((month, k) => archivePage(month, byMonth.get(month)!, months[k - 1], months[k + 1], (date) => catalog.load(date), config));
  const newest = months.at(-1);
  return { pages, ...(newest ? { newestPage: siteUrl(config, archivePath(newest)) } : {}) };
}

/** One month's page: its issues (oldest first, each loaded by `load` when the page is made) and the months before and after it that have issues. */
export function archivePage(
  month: string,
  issues: CatalogedIssue[],
  older: string | undefined,
  newer: string | undefined,
  load: (date: string) => Issue,
  config: Config,
): FeedArchivePage {
  return {
    month,
    issues,
    ...(older ? { older } : {}),
    ...(newer ? { newer } : {}),
    document() {
      const items = newestFirst(issues.map((issue) => load(issue.date))).map((issue) => issueItem(issue, config));
      const doc = siteFeed(config, { atom: archivePath(month) }, `${config.site.title} · ${month}`, items, items[0]!.published);
      doc.archive = {
        isArchive: true,
        current: siteUrl(config, MAIN_FEED_PATHS.atom),
        ...(older ? { prevArchive: siteUrl(config, archivePath(older)) } : {}),
        ...(newer ? { nextArchive: siteUrl(config, archivePath(newer)) } : {}),
      };
      return doc;
    },
  };
}
