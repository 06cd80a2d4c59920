import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { archivePage } from "../render/feed-archive.js";
import { archivePageUnit } from "../render/feeds.js";
import type { CatalogedIssue } from "../render/site-unit.js";
import { contentKey, type IssueRecord } from "./catalog.js";
import { planUnits, type Manifest, type ManifestUnit, type OutputListing } from "./plan.js";
import type { OutputStage } from "./write.js";

/** What a month's page is made from, and where it goes. */
export interface FeedArchiveAheadInputs {
  config: Config;
  /** The site's key (`siteKey`) and the last build's manifest: a page is made as `planUnits` decides. */
  site: string;
  previous: Manifest | undefined;
  output: OutputListing;
  stage: OutputStage;
  /** The models the catalog keeps (`loadCatalog`'s `models`): a month's are read from there, and taken out once its page is done. */
  models: Map<string, Issue>;
}

/** The month being read. */
interface OpenMonth {
  month: string;
  /** Its issues' records, by date; made into the catalog's entries only for a page made here (a daily build makes none). */
  records: [string, IssueRecord][];
  /** Whether every issue of it so far was parsed this time. */
  parsed: boolean;
}

/**
 * Makes each month's page of the feed archive (`feed-archive/YYYY-MM.xml`)
 * while the build still reads the issues, as soon as the month is complete
 * (an issue of a later month has been read; the page links to that month),
 * and takes the month's models out of the catalog's keeping.
 *
 * Why: the feed archive carries the full content of every issue, so its
 * pages were made after reading, and a ten-year build kept every model it
 * parsed until then. Thousands of models cost the garbage collector
 * seconds: each is copied as it survives its first collections, and the
 * heap grows to hold them (measured: keeping a second copy of every model
 * made a cold build of the bench archive 1.5–2.5 s slower).
 *
 * A month goes ahead only if every issue of it was parsed this time (an
 * unchanged issue's model is not at hand), and only while `read` is told
 * the render worker runs: without one, the build renders every issue after
 * reading and needs its model then. The newest month is never complete
 * while reading. Every other month is left to the build's own pass, which
 * plans the same unit: `made` says which pages were made here.
 */
export class FeedArchiveAhead {
  readonly #inputs: FeedArchiveAheadInputs;
  #open: OpenMonth | undefined;
  /** The month before the open one (the page's `prev-archive`). */
  #older: string | undefined;
  /** The pages made here, by unit id, as the manifest records them. */
  readonly made = new Map<string, ManifestUnit>();

  constructor(inputs: FeedArchiveAheadInputs) {
    this.#inputs = inputs;
  }

  /** The next issue read, in date order, and whether its model was parsed; `active` while the render worker runs. */
  read(date: string, record: IssueRecord, parsed: boolean, active: boolean): void {
    const month = date.slice(0, 7);
    const open = this.#open;
    if (open?.month !== month) {
      if (open) {
        if (active && open.parsed) this.#finish(open, month);
        this.#older = open.month;
      }
      this.#open = { month, records: [], parsed: true };
    }
    this.#open!.records.push([date, record]);
    this.#open!.parsed &&= parsed;
  }

  #finish(month: OpenMonth, newer: string): void {
    const { config, site, previous, output, stage, models } = this.#inputs;
    const issues: CatalogedIssue[] = month.records.map(([date, record]) => ({ date, contentKey: contentKey(record), summary: record.summary }));
    const page = archivePage(month.month, issues, this.#older, newer, (date) => heldModel(models, date), config);
    const [{ unit, key, recorded }] = planUnits([archivePageUnit(page)], site, output, previous) as [ReturnType<typeof planUnits>[number]];
    if (!recorded) {
      const files: string[] = [];
      for (const file of unit.render()) {
        stage.add(file);
        files.push(file.path);
      }
      this.made.set(unit.id, { key, files });
    }
    for (const [date] of month.records) models.delete(date);
  }
}

function heldModel(models: ReadonlyMap<string, Issue>, date: string): Issue {
  const model = models.get(date);
  if (!model) throw new Error(`internal error: the model of ${date} was parsed but is no longer kept`);
  return model;
}
