import type { Config } from "../config/schema.js";
import { sha256Hex } from "../hash.js";
import { compareDates } from "../model/calendar.js";
import type { Issue } from "../model/issue.js";
import { archiveListing, type ArchiveDetails, type ArchiveSummary } from "./archive.js";
import type { OutputFile } from "./output-file.js";

/**
 * What the whole-site renderers (feeds, archive pages) read of the issues:
 * every issue's date, content key and archive summary at once; its archive
 * details and the full issue only on demand. A new daily issue changes the
 * newest feeds, one month's archive feed and one year's archive pages; the
 * build need not read every old issue again to make them.
 */
export interface IssueCatalog {
  /** Every issue, oldest first. */
  readonly issues: readonly CatalogedIssue[];
  /** The full issue of that date (read again from its file if the build did not keep it), kept from then on. */
  load(date: string): Issue;
  /** The same, not kept: for a build that renders each issue once (a template edit parses every issue, and keeping them all costs the collector seconds). */
  read(date: string): Issue;
  details(date: string): ArchiveDetails;
}

export interface CatalogedIssue {
  date: string;
  /** Changes whenever anything the issue's model is made from changes (its file's bytes, its image names). */
  contentKey: string;
  summary: ArchiveSummary;
}

/**
 * A part of the whole-site output (the main feed, one month of the feed
 * archive, the archive index…) and what it is made from. `inputs` names,
 * cheaply, everything its files depend on besides the configuration and
 * the renderers' version (the content keys of the issues it shows, the
 * names of its neighbours): the build renders the unit again only when
 * they differ from the last build's, or one of its files is missing.
 */
export interface SiteUnit {
  /** Unique among the site's units: `feed:main`, `feed-archive:2020-10`. */
  id: string;
  /** Plain data (JSON), compared between builds. */
  inputs: unknown;
  render(): Iterable<OutputFile>;
}

/** The issues' content keys, as a unit's `inputs` list them. */
export function contentKeys(issues: readonly CatalogedIssue[]): string[] {
  return issues.map((issue) => `${issue.date} ${issue.contentKey}`);
}

/** Issues (or anything dated) grouped by year (`YYYY`) or month (`YYYY-MM`) of their date, in the order given. */
export function byPeriod<T extends { date: string }>(issues: readonly T[], period: "year" | "month"): Map<string, T[]> {
  const length = period === "year" ? 4 : 7;
  const groups = new Map<string, T[]>();
  for (const issue of issues) {
    const key = issue.date.slice(0, length);
    const group = groups.get(key);
    if (group) group.push(issue);
    else groups.set(key, [issue]);
  }
  return groups;
}

/** A catalog of issues already in memory: for rendering without a build (tests, previews). */
export function catalogOf(issues: readonly Issue[], config: Config): IssueCatalog {
  const byDate = new Map(issues.map((issue) => [issue.date, { issue, listing: archiveListing(issue, config) }]));
  const known = (date: string) => {
    const found = byDate.get(date);
    if (!found) throw new Error(`no issue of ${date} in the catalog`);
    return found;
  };
  return {
    issues: [...byDate.values()]
      .sort((a, b) => compareDates(a.issue, b.issue))
      .map(({ issue, listing }) => ({
        date: issue.date,
        contentKey: sha256Hex(JSON.stringify(issue)),
        summary: listing.summary,
      })),
    load: (date) => known(date).issue,
    read: (date) => known(date).issue,
    details: (date) => known(date).listing.details,
  };
}

/** Every file of the units, one at a time. */
export function* renderUnits(units: Iterable<SiteUnit>): Generator<OutputFile> {
  for (const unit of units) yield* unit.render();
}
