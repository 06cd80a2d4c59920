import { existsSync, readdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { Config } from "../config/schema.js";
import type { Diagnostic } from "../errors.js";
import { keyOf as hashOf } from "../hash.js";
import type { OutputFile } from "../render/output-file.js";
import { byPeriod, type SiteUnit } from "../render/site-unit.js";
import type { IssueRecord } from "./catalog.js";
import { ISSUE_RENDERERS } from "./render-issues.js";
import { decodeJsonLines, encodeJsonLines, entriesOf, readBytes } from "./json-lines.js";

/**
 * What changed since the last build. An issue's outputs depend on its
 * file's bytes (the model is made from them alone, by a parser whose
 * changes bump RENDERER_VERSION), its images, the configuration and the
 * renderers' version, and each output on more of its own (`planBuild`):
 * the newsletter on the templates, the web page on its neighbours. A key of
 * what each output was made from is kept beside it in the manifest
 * (`.letterpress/`, see `manifestFiles`); an output whose key is unchanged
 * and whose files are all still there is not made again. Likewise each unit of the
 * whole-site output (a feed, a month of the feed archive, a year of the
 * archive pages) is keyed by its own inputs (`SiteUnit.inputs`), the
 * configuration and the renderers' version; templates do not touch them.
 */
export const MANIFEST_PATH = ".letterpress/manifest.json";

/** Bump when a renderer's output changes for the same input, or the form of the build's records (5: JSON Lines; 6: feed content as CDATA, outputs in the plan's order). */
export const RENDERER_VERSION = 6;

export interface Manifest {
  version: number;
  /** By date: what each issue's files were made from, and the files. */
  issues: Record<string, ManifestIssue>;
  /** The whole-site renderers' units (feeds, archive pages), by id: what each was made from, and its files. */
  site: Record<string, ManifestUnit>;
  /** The fingerprint of every input (see fingerprint.ts): unchanged, the next build does nothing. */
  inputs?: string;
  /** How many issues the build read, and its warnings, to report again when nothing changed. */
  issueCount?: number;
  warnings?: Diagnostic[];
  /** The configuration and renderers the archive listings and site units were made with (`siteKey`). */
  siteKey?: string;
}

export interface ManifestIssue extends IssueRecord {
  /** By output (`images`, and each issue renderer: `email`, `page`): what it was made from, its files, what the build said. */
  outputs: Record<string, ManifestOutput>;
}

export interface ManifestOutput {
  key: string;
  files: string[];
  /** What the build said when it made them (shortened abstracts), said again while they are kept. */
  notices: string[];
}

export interface ManifestUnit {
  key: string;
  files: string[];
}

export interface BuildPlan {
  /** For each issue with something to make, oldest first: which outputs (`images`, `email`, `page`). */
  make: { date: string; outputs: string[] }[];
  /** Each issue's outputs as the last build left them in `out/`, for those not made again. */
  keep: Map<string, Record<string, ManifestOutput>>;
  /** The key of each output of each issue, by date. */
  keys: Map<string, Record<string, string>>;
}

/** What every issue's plan depends on besides the issue and its neighbours. */
export interface PlanInputs {
  output: OutputListing;
  templates: readonly { file: string; text: string }[];
  config: Config;
  /** The last build's manifest, if any. */
  previous: Manifest | undefined;
}

/** One issue's plan: the key of each output, those kept from the last build, those to make. */
export interface IssuePlan {
  keys: Record<string, string>;
  kept: Record<string, ManifestOutput>;
  make: string[];
}

/** Plans one issue, given the dates of the issues before and after it (null at either end). */
export type PlanIssue = (date: string, record: IssueRecord, neighbours: readonly [string | null, string | null]) => IssuePlan;

/** The key of everything every site unit depends on besides its own inputs. */
export function siteKey(config: Config): string {
  return hashOf({ renderer: RENDERER_VERSION, config });
}

/**
 * The outputs of each issue and what each depends on: its images (copied
 * with its web page) on their bytes; the newsletter on the issue and the
 * templates; the web page on the issue and its neighbours (the
 * previous/next links). Editing a template makes every newsletter again
 * and no page; a new issue makes its neighbours' pages again and not their
 * newsletters. One issue is decided as soon as its neighbours are known,
 * so a build can start rendering while it still reads (`RenderAhead`).
 */
export function issuePlanner(inputs: PlanInputs): PlanIssue {
  const { previous } = inputs;
  const shared = hashOf({ renderer: RENDERER_VERSION, config: inputs.config });
  const templates = hashOf(inputs.templates);
  return (date, record, neighbours) => {
    const issue = hashOf({ shared, source: record.source.sha256, file: record.source.name, images: record.images.map((image) => image.name) });
    const keys: Record<string, string> = {
      images: hashOf(record.images.map((image) => [image.name, image.sha256])),
    };
    for (const renderer of ISSUE_RENDERERS) {
      keys[renderer.name] = hashOf([issue, renderer.dependsOn.templates ? templates : null, renderer.dependsOn.neighbours ? neighbours : null]);
    }
    const recorded = previous?.issues[date]?.outputs ?? {};
    const kept: Record<string, ManifestOutput> = {};
    const make: string[] = [];
    for (const [name, key] of Object.entries(keys)) {
      const earlier = recorded[name];
      if (earlier && earlier.key === key && inputs.output.allExist(earlier.files)) kept[name] = earlier;
      else make.push(name);
    }
    return { keys, kept, make };
  };
}

/** Every issue's plan (`records` holds every issue, oldest first). */
export function planBuild(inputs: PlanInputs & { records: ReadonlyMap<string, IssueRecord> }): BuildPlan {
  const planIssue = issuePlanner(inputs);
  const plan: BuildPlan = { make: [], keep: new Map(), keys: new Map() };
  const dates = [...inputs.records.keys()];
  for (const [i, date] of dates.entries()) {
    const { keys, kept, make } = planIssue(date, inputs.records.get(date)!, [dates[i - 1] ?? null, dates[i + 1] ?? null]);
    plan.keys.set(date, keys);
    plan.keep.set(date, kept);
    if (make.length > 0) plan.make.push({ date, outputs: make });
  }
  return plan;
}

/** The units whose inputs, or whose files, are not as the last build left them. */
export function planUnits(units: readonly SiteUnit[], site: string, output: OutputListing, previous: Manifest | undefined): { unit: SiteUnit; key: string; recorded?: ManifestUnit }[] {
  return units.map((unit) => {
    const key = hashOf({ site, inputs: unit.inputs });
    const recorded = previous?.site[unit.id];
    return recorded && recorded.key === key && output.allExist(recorded.files) ? { unit, key, recorded } : { unit, key };
  });
}

/** Every file the last build recorded, to find those this build no longer makes. */
export function recordedFiles(manifest: Manifest | undefined): string[] {
  if (!manifest) return [];
  return [...Object.values(manifest.issues).flatMap((issue) => Object.values(issue.outputs)), ...Object.values(manifest.site)].flatMap((o) => o.files);
}

/**
 * The manifest on disk: `.letterpress/manifest.json` (the fingerprint, the
 * site units, the warnings) and one file of issue records per year,
 * `.letterpress/issues/YYYY.json`. Nearly all of it is the issues' records
 * (their archive listings); a daily build changes one year's, so only the
 * years whose text changed are written (a ten-year manifest was 5 MB
 * rewritten on every build).
 */
export interface StoredManifest {
  manifest: Manifest;
  /** Each year's file as read, to tell which years changed. */
  yearBytes: ReadonlyMap<string, Buffer>;
}

interface ManifestHead extends Omit<Manifest, "issues"> {
  /** The years that have a file of issue records. */
  years: string[];
}

export function yearManifestPath(year: string): string {
  return `.letterpress/issues/${year}.json`;
}

/**
 * The files of `manifest` to write (the years whose records are as
 * `previous` left them are not; the build removes a year's file when the
 * year is gone, with its other stray state files). `changed`
 * names the dates whose records may differ from the last build's: a year
 * with none of them, and the same dates as before, is not even written out
 * to compare (a year's records are half a megabyte of JSON).
 */
export function manifestFiles(manifest: Manifest, previous: StoredManifest | undefined, changed?: ReadonlySet<string>): OutputFile[] {
  const byYear = datesByYear(Object.keys(manifest.issues).sort());
  const earlier = datesByYear(Object.keys(previous?.manifest.issues ?? {}));
  const untouched = (year: string, dates: readonly string[]) =>
    changed !== undefined && previous?.yearBytes.has(year) === true && earlier.get(year)?.length === dates.length && dates.every((date) => !changed.has(date) && previous.manifest.issues[date] !== undefined);
  const files: OutputFile[] = [];
  for (const [year, dates] of byYear) {
    if (untouched(year, dates)) continue;
    // A line each (json-lines.ts): the archive listings make a year's records hundreds of kilobytes.
    // Compared as bytes: comparing the strings took longer than encoding them (they hold CJK, two bytes a character).
    const bytes = encodeJsonLines([{ version: manifest.version }, ...dates.map((date) => [date, manifest.issues[date]])]);
    if (!previous?.yearBytes.get(year)?.equals(bytes)) files.push({ path: yearManifestPath(year), contents: bytes });
  }
  const head: ManifestHead = {
    version: manifest.version,
    ...(manifest.inputs ? { inputs: manifest.inputs, issueCount: manifest.issueCount ?? 0, warnings: manifest.warnings ?? [] } : {}),
    ...(manifest.siteKey ? { siteKey: manifest.siteKey } : {}),
    years: [...byYear.keys()],
    site: Object.fromEntries(Object.entries(manifest.site).sort(([a], [b]) => a.localeCompare(b))),
  };
  // The head last: until it is in place, the last build's fingerprint says the outputs are not all as recorded.
  files.push({ path: MANIFEST_PATH, contents: `${JSON.stringify(head)}\n` });
  return files;
}

/** Dates (`YYYY-MM-DD`) by year, in the order given. */
function datesByYear(dates: readonly string[]): Map<string, string[]> {
  return new Map([...byPeriod(dates.map((date) => ({ date })), "year")].map(([year, dated]) => [year, dated.map((d) => d.date)]));
}

export function readManifest(outDir: string): StoredManifest | undefined {
  const head = readJson(join(outDir, MANIFEST_PATH)) as Partial<ManifestHead> | undefined;
  if (!head || head.version !== RENDERER_VERSION || !isRecord(head.site) || !Array.isArray(head.years)) return undefined;
  const { years, ...rest } = head as ManifestHead;
  const manifest: Manifest = { ...rest, issues: {} };
  const yearBytes = new Map<string, Buffer>();
  for (const year of years.map(String)) {
    const bytes = readBytes(join(outDir, yearManifestPath(year)));
    const records = bytes === undefined ? undefined : yearRecords(bytes);
    // A year whose records are missing or unreadable: its issues are made again (and the build is not one with nothing to do).
    if (!records) {
      delete manifest.inputs;
      continue;
    }
    for (const [date, record] of records) manifest.issues[date] = record;
    yearBytes.set(year, bytes!);
  }
  return { manifest, yearBytes };
}

/** A year's file (`manifestFiles`): a line with the version, then a line `[date, record]` for each issue. */
function yearRecords(bytes: Buffer): [string, Manifest["issues"][string]][] | undefined {
  const lines = decodeJsonLines(bytes);
  const head = lines?.[0] as { version?: unknown } | undefined;
  if (!lines || !isRecord(head) || head.version !== RENDERER_VERSION) return undefined;
  const entries = entriesOf(lines.slice(1));
  return entries?.every(([, record]) => isRecord(record)) ? (entries as [string, Manifest["issues"][string]][]) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readJson(path: string): unknown {
  const bytes = readBytes(path);
  return bytes === undefined ? undefined : parseJson(bytes.toString("utf8"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether a build's files are still in `out/`. A folder asked about often
 * (`email/`, thousands of files) is listed once; a folder asked about once
 * or twice (`issues/DATE/`) gets a stat per file, which costs less than
 * listing it: an archive's issues have tens of thousands of files in a few
 * thousand folders, and either way alone took a few tenths of a second.
 */
export class OutputListing {
  readonly #folders = new Map<string, Set<string>>();
  readonly #asked = new Map<string, number>();
  /** `out/` with a separator: joined to the recorded paths (`/`-separated, inside it) without path.resolve's work on each. */
  readonly #root: string;

  constructor(readonly outDir: string) {
    this.#root = `${resolve(outDir)}${sep}`;
  }

  allExist(files: readonly string[]): boolean {
    return files.every((file) => this.exists(file));
  }

  exists(file: string): boolean {
    const cut = file.lastIndexOf("/");
    const folder = cut < 0 ? "" : file.slice(0, cut);
    const listed = this.#folders.get(folder);
    if (listed) return listed.has(file.slice(cut + 1));
    const asked = (this.#asked.get(folder) ?? 0) + 1;
    this.#asked.set(folder, asked);
    if (asked <= LIST_FROM) return existsSync(this.#root + file);
    const names = listFolder(this.#root + folder);
    this.#folders.set(folder, names);
    return names.has(file.slice(cut + 1));
  }
}

/** Questions about one folder answered by stat before it is listed. */
const LIST_FROM = 4;

function listFolder(path: string): Set<string> {
  try {
    return new Set(readdirSync(path));
  } catch {
    // No folder: none of its files exist.
    return new Set();
  }
}

