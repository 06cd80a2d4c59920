import type { Config } from "../config/schema.js";
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
  const current = siteUrl(config, MAIN_FEED_PATHS.atom);
  const pages = months.map((month, k): FeedArchivePage => {
    const issues = byMonth.get(month)!;
    const older = months[k - 1];
    const newer = months[k + 1];
    return {
      month,
      issues,
      ...(older ? { older } : {}),
      ...(newer ? { newer } : {}),
      document() {
        const items = newestFirst(issues.map((issue) => catalog.load(issue.date))).map((issue) => issueItem(issue, config));
        const doc = siteFeed(config, { atom: archivePath(month) }, `${config.site.title} · ${month}`, items, items[0]!.published);
        doc.archive = {
          isArchive: true,
          current,
          ...(older ? { prevArchive: siteUrl(config, archivePath(older)) } : {}),
          ...(newer ? { nextArchive: siteUrl(config, archivePath(newer)) } : {}),
        };
        return doc;
      },
    };
  });
  const newest = months.at(-1);
  return { pages, ...(newest ? { newestPage: siteUrl(config, archivePath(newest)) } : {}) };
}
