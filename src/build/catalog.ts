import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { keyOf, sha256Hex } from "../hash.js";
import { sortDiagnostics, type Diagnostic } from "../errors.js";
import type { Issue } from "../model/issue.js";
import { imagesAmong, listDigests, parseDigestFile, type DigestFile } from "../parse/index.js";
import { archiveListing, type ArchiveDetails, type ArchiveSummary } from "../render/archive.js";
import type { CatalogedIssue, IssueCatalog } from "../render/site-unit.js";
import type { Output } from "../output.js";
import { createProgress } from "../progress.js";
import { decodeJsonLines, encodeJsonLines, entriesOf, readBytes } from "./json-lines.js";
import type { IssuesSnapshot } from "./fingerprint.js";

/**
 * The build's view of the issues folder. A digest whose file has the name,
 * size and modification time the last build recorded is not read again:
 * its hash, its warnings and its archive listing come from the manifest,
 * and the full issue is parsed only if a renderer asks for it (`load`).
 * Parsing a ten-year archive takes seconds; a new daily issue needs the
 * newest few dozen.
 */
export interface FileRecord {
  name: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** What the build keeps of each issue between builds (in the manifest). */
export interface IssueRecord {
  source: FileRecord;
  /** The images beside the issue, as the build publishes them. */
  images: FileRecord[];
  /** The file's own warnings, said again on every build while it is unchanged. */
  warnings: Diagnostic[];
  summary: ArchiveSummary;
}

/**
 * The archive details of a month's issues, kept in `.letterpress/archive/YYYY-MM.json`
 * beside the manifest: tens of megabytes for a ten-year archive, of which a
 * build reads only the years whose pages it makes again, and writes only
 * the months that changed (a new issue: its month, not its year's 3 MB).
 */
export interface MonthDetails {
  issues: Record<string, { contentKey: string; details: ArchiveDetails }>;
}

export function monthDetailsPath(month: string): string {
  return `.letterpress/archive/${month}.json`;
}

export interface LoadedCatalog {
  catalog: IssueCatalog;
  /** By date, oldest first: every issue without errors. */
  records: Map<string, IssueRecord>;
  /** The dates whose records were made from their files this time; the others' came from the last build. */
  reread: Set<string>;
  /** Every problem found (an error stops the build), sorted. */
  diagnostics: Diagnostic[];
}

export interface CatalogInputs {
  /** The issues folder, as the build's first walk saw it. */
  snapshot: IssuesSnapshot;
  config: Config;
  /** What the last build recorded, if its listings were made with this configuration: each issue's record, and the folder of its year files. */
  previous?: { issues: Readonly<Record<string, IssueRecord>>; outDir: string };
  /** Dates whose records are not to be trusted: their files are read again. */
  distrusted?: ReadonlySet<string>;
  /** Where to show progress when many files are to be read. */
  out?: Output;
  /** Told of each issue kept, in date order, as soon as it is read: its model if its file was parsed (`RenderAhead`, `FeedArchiveAhead`). Awaited before the next is read. */
  onRecord?: (date: string, record: IssueRecord, issue: Issue | undefined) => void | Promise<void>;
  /**
   * Where the catalog keeps the models it parsed, by date, for `load` and
   * `read` (by default a map of its own). The build's, so that what it does
   * while reading can take out the models nothing will ask for again: one
   * it no longer holds is parsed again if asked for.
   */
  models?: Map<string, Issue>;
}

/** From this many files to read, the catalog shows its progress. */
const PROGRESS_FROM = 100;

/** An issue's file no longer has the bytes its record was made from, though its size and time are unchanged. */
export class StaleRecordError extends Error {
  constructor(readonly date: string, file: string) {
    super(`${file} changed without its size or modification time changing`);
  }
}

export async function loadCatalog(inputs: CatalogInputs): Promise<LoadedCatalog> {
  const { snapshot, config } = inputs;
  const { issuesDir } = snapshot;
  const found = await listDigests(issuesDir);
  const diagnostics = [...found.diagnostics];
  const records = new Map<string, IssueRecord>();
  const reread = new Set<string>();
  const loaded = inputs.models ?? new Map<string, Issue>();
  const details = new Map<string, ArchiveDetails>();
  const digests = new Map<string, { digest: DigestFile; imageFiles: string[] }>();

  const unchanged = (digest: DigestFile, earlier: IssueRecord | undefined): earlier is IssueRecord => {
    const { size, mtimeMs } = snapshot.stat(digest.name);
    return earlier !== undefined && earlier.source.name === digest.name && earlier.source.size === size && earlier.source.mtimeMs === mtimeMs;
  };
  const earlierOf = (date: string) => (inputs.distrusted?.has(date) ? undefined : inputs.previous?.issues[date]);
  const toRead = found.digests.filter((digest) => !unchanged(digest, earlierOf(digest.date))).length;
  const progress = inputs.out && toRead >= PROGRESS_FROM ? createProgress(inputs.out, toRead, "read") : undefined;

  for (const digest of found.digests) {
    const imageFiles = found.folders.has(digest.date) ? imagesAmong(snapshot.list(digest.date)) : [];
    const earlier = earlierOf(digest.date);
    const images = imageFiles.map((name) => fileRecord(snapshot, `${digest.date}/${name}`, name, earlier?.images.find((i) => i.name === name)));
    digests.set(digest.date, { digest, imageFiles });
    if (unchanged(digest, earlier)) {
      // A file's warnings are about that file: named as this build names it (the last one may have run from another folder).
      const warnings = earlier.warnings.map((w) => ({ ...w, where: { ...w.where, file: digest.file } }));
      const record = { source: earlier.source, images, warnings, summary: earlier.summary };
      records.set(digest.date, record);
      await inputs.onRecord?.(digest.date, record, undefined);
      diagnostics.push(...warnings);
      continue;
    }
    const parsed = parseDigestFile(digest, imageFiles);
    reread.add(digest.date);
    progress?.advance();
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.issue) continue;
    const listing = archiveListing(parsed.issue, config);
    loaded.set(digest.date, parsed.issue);
    details.set(digest.date, listing.details);
    const { size, mtimeMs } = snapshot.stat(digest.name);
    const record = {
      source: { name: digest.name, size, mtimeMs, sha256: parsed.sha256 },
      images,
      warnings: parsed.diagnostics.filter((d) => d.severity === "warning"),
      summary: listing.summary,
    };
    records.set(digest.date, record);
    await inputs.onRecord?.(digest.date, record, parsed.issue);
  }
  progress?.finish();

  const issues: CatalogedIssue[] = [...records].map(([date, record]) => ({ date, contentKey: contentKey(record), summary: record.summary }));
  const keys = new Map(issues.map((issue) => [issue.date, issue.contentKey]));
  const months = new Map<string, MonthDetails | undefined>();
  const keptMonth = (month: string) => {
    if (!months.has(month)) months.set(month, inputs.previous ? readMonthDetails(inputs.previous.outDir, month) : undefined);
    return months.get(month);
  };
  const parseAgain = (date: string): Issue => {
    const { digest, imageFiles } = digests.get(date)!;
    const parsed = parseDigestFile(digest, imageFiles);
    if (!parsed.issue || parsed.sha256 !== records.get(date)!.source.sha256) throw new StaleRecordError(date, digest.file);
    return parsed.issue;
  };
  const catalog: IssueCatalog = {
    issues,
    details(date) {
      const known = details.get(date);
      if (known) return known;
      const kept = keptMonth(date.slice(0, 7))?.issues[date];
      const found = kept && kept.contentKey === keys.get(date) ? kept.details : archiveListing(catalog.load(date), config).details;
      details.set(date, found);
      return found;
    },
    load(date) {
      const known = loaded.get(date);
      if (known) return known;
      const issue = parseAgain(date);
      loaded.set(date, issue);
      return issue;
    },
    read(date) {
      return loaded.get(date) ?? parseAgain(date);
    },
  };
  return { catalog, records, reread, diagnostics: sortDiagnostics(diagnostics) };
}

/** The archive details of one month's issues, to keep for the next build. */
export function monthDetails(catalog: IssueCatalog, issues: readonly CatalogedIssue[]): MonthDetails {
  return { issues: Object.fromEntries(issues.map((issue) => [issue.date, { contentKey: issue.contentKey, details: catalog.details(issue.date) }])) };
}

/** A month's details as its file holds them: a line `[date, { contentKey, details }]` for each issue (json-lines.ts). */
export function encodeMonthDetails(details: MonthDetails): Buffer {
  return encodeJsonLines(Object.entries(details.issues));
}

/** Undefined when missing or unreadable: the details are made again from the issues. */
function readMonthDetails(outDir: string, month: string): MonthDetails | undefined {
  const bytes = readBytes(join(outDir, monthDetailsPath(month)));
  const lines = bytes && decodeJsonLines(bytes);
  const entries = lines && entriesOf(lines);
  return entries?.every(([, kept]) => typeof kept === "object" && kept !== null) ? { issues: Object.fromEntries(entries) as MonthDetails["issues"] } : undefined;
}

/** The issue's model is made from its file's bytes and the names of its images; the key changes with either. */
export function contentKey(record: IssueRecord): string {
  return keyOf([record.source.name, record.source.sha256, record.images.map((i) => i.name)]);
}

/** A file's hash, taken from `earlier` when its size and modification time are unchanged. */
function fileRecord(snapshot: IssuesSnapshot, path: string, name: string, earlier: FileRecord | undefined): FileRecord {
  const { size, mtimeMs } = snapshot.stat(path);
  if (earlier && earlier.size === size && earlier.mtimeMs === mtimeMs) return earlier;
  return { name, size, mtimeMs, sha256: sha256Hex(readFileSync(join(snapshot.issuesDir, path))) };
}
