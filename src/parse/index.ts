import { readdirSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { error, warning, hasErrors, sortDiagnostics, type Diagnostic } from "../errors.js";
import { sha256Hex } from "../hash.js";
import type { DigestFormat, Issue } from "../model/issue.js";
import { compareDates, isCalendarDate } from "../model/calendar.js";
import { validateIssue } from "../model/validate.js";
import { XML_FORBIDDEN } from "../model/xml-characters.js";
import type { ParseResult } from "./content.js";
import { compactStrings } from "./compact-strings.js";
import { decodeDigest } from "./lines.js";
import { parseMarkdownDigest } from "./markdown.js";
import { parseTextDigest } from "./text.js";

export interface LoadResult {
  /** Issues that parsed without errors, oldest first. */
  issues: Issue[];
  diagnostics: Diagnostic[];
  /** Every digest file found, parsed or not. */
  files: string[];
  /** Entries read from every file, including files with errors. */
  entryCount: number;
  /** A SHA-256 of each issue's file, by date: what an incremental build compares. */
  sourceHashes: Map<string, string>;
}

const DIGEST_NAME = /^(\d{4}-\d{2}-\d{2})(?:-([a-z0-9][a-z0-9-]*))?\.(txt|md)$/u;
const IMAGE_FILE = /\.(?:png|jpe?g|gif|webp|svg|bmp|avif)$/iu;

/** A digest file found in the issues folder, its name checked. */
export interface DigestFile {
  /** The file's name in the issues folder. */
  name: string;
  path: string;
  /** The path as messages show it. */
  file: string;
  date: string;
  slug?: string;
  format: DigestFormat;
}

export interface DigestListing {
  digests: DigestFile[];
  /** Image folders (`issues/YYYY-MM-DD/`) by name. */
  folders: Set<string>;
  /** Every digest file found, parsed or not. */
  files: string[];
  diagnostics: Diagnostic[];
}

/** One digest file read into the model. */
export interface ParsedDigest {
  /** Absent when the file has errors. */
  issue?: Issue;
  diagnostics: Diagnostic[];
  entryCount: number;
  /** A SHA-256 of the file's bytes: the model is a function of them. */
  sha256: string;
}

/**
 * Reads every digest in a folder into the model. Order: list the folder,
 * check each name, look for two files of one date, decode and parse each
 * file, check the whole issue. Every problem is returned; nothing throws
 * for bad input.
 */
export async function loadIssues(issuesDir: string, options: { displayRoot?: string } = {}): Promise<LoadResult> {
  const listing = await listDigests(issuesDir, options);
  const diagnostics = [...listing.diagnostics];
  const issues: Issue[] = [];
  const sourceHashes = new Map<string, string>();
  let entryCount = 0;
  for (const digest of listing.digests) {
    const parsed = parseDigestFile(digest, listing.folders.has(digest.date) ? listImages(join(issuesDir, digest.date)) : []);
    sourceHashes.set(digest.date, parsed.sha256);
    diagnostics.push(...parsed.diagnostics);
    entryCount += parsed.entryCount;
    if (parsed.issue) issues.push(parsed.issue);
  }
  issues.sort(compareDates);
  return { issues, diagnostics: sortDiagnostics(diagnostics), files: listing.files, entryCount, sourceHashes };
}

/** The digest files of a folder, oldest first, each name checked: a bad name or a second file for a date is a diagnostic, not a digest. */
export async function listDigests(issuesDir: string, options: { displayRoot?: string } = {}): Promise<DigestListing> {
  const display = (path: string) => relative(options.displayRoot ?? process.cwd(), path) || path;
  // Each file as messages show it: the folder as shown, then the name (path.relative for each of thousands of files was most of
  // the listing). Joined by hand: path.relative's result is normalised and a name from readdir holds no separator, so path.join
  // would give the same, after a normalisation that took half of the listing of 3,650 files (26 ms).
  const shownDir = relative(options.displayRoot ?? process.cwd(), issuesDir);
  const shown = (name: string) => (shownDir ? `${shownDir}${sep}${name}` : name);
  let names: string[];
  let folders: Set<string>;
  try {
    const dirents = await readdir(issuesDir, { withFileTypes: true });
    names = dirents.filter((d) => d.isFile()).map((d) => d.name).sort();
    folders = new Set(dirents.filter((d) => d.isDirectory()).map((d) => d.name));
  } catch (cause) {
    const diagnostic = error({ file: display(issuesDir) }, `cannot read the issues folder: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    return { digests: [], folders: new Set(), files: [], diagnostics: [diagnostic] };
  }

  const diagnostics: Diagnostic[] = [];
  const digests: DigestFile[] = [];
  const files: string[] = [];
  const byDate = new Map<string, string>();
  for (const name of names) {
    if (name.startsWith(".") || !/\.(txt|md)$/u.test(name)) continue;
    const path = join(issuesDir, name);
    const file = shown(name);
    const m = DIGEST_NAME.exec(name);
    if (!m) {
      diagnostics.push(warning({ file }, "not a digest name, so it is skipped: expected YYYY-MM-DD.txt or YYYY-MM-DD-slug.md"));
      continue;
    }
    files.push(file);
    const [, date, slug, extension] = m as unknown as [string, string, string | undefined, string];
    if (!isCalendarDate(date)) {
      diagnostics.push(error({ file }, `the date ${date} in the file name does not exist: expected a real calendar date`));
      continue;
    }
    const earlier = byDate.get(date);
    if (earlier) {
      diagnostics.push(error({ file }, `a second digest for ${date}: ${earlier} has that date already; keep one file per date`));
      continue;
    }
    byDate.set(date, file);
    digests.push({ name, path, file, date, ...(slug ? { slug } : {}), format: extension === "md" ? "markdown" : "text" });
  }
  digests.sort(compareDates);
  return { digests, folders, files, diagnostics };
}

/**
 * Reads, decodes, parses and checks one digest. `imageFiles`: the images in
 * the issue's folder (`listImages`), which the model lists.
 */
export function parseDigestFile(digest: DigestFile, imageFiles: readonly string[]): ParsedDigest {
  const { file, date } = digest;
  // Synchronous on purpose: a digest is a few KB, and a promise-based read
  // costs four thread-pool round trips (open, stat, read, close) per file,
  // which dominated loading a 3,650-issue archive.
  const bytes = readFileSync(digest.path);
  const sha256 = sha256Hex(bytes);
  const decoded = decodeDigest(file, bytes);
  if (!decoded.ok) return { diagnostics: [decoded.diagnostic], entryCount: 0, sha256 };
  const parsed: ParseResult = digest.format === "markdown" ? parseMarkdownDigest(file, decoded.text) : parseTextDigest(file, decoded.text);
  const diagnostics = [...parsed.diagnostics, ...findForbiddenCharacters(file, decoded.text)];
  const { statedDate, ...content } = parsed.content;
  if (statedDate && statedDate.value !== date) {
    diagnostics.push(error({ file, line: statedDate.line }, `front matter: date ${statedDate.value} does not agree with the file name's ${date}`));
  }
  // Each field on its own, English in one byte a character (compact-strings.ts): a build holds every issue.
  const issue: Issue = compactStrings({
    ...content,
    date,
    ...(digest.slug ? { slug: digest.slug } : {}),
    imageFiles: [...imageFiles],
    source: { file, format: digest.format },
  });
  diagnostics.push(...validateIssue(issue));
  const entryCount = content.entries.length + content.extras.length;
  return { ...(hasErrors(diagnostics) ? {} : { issue }), diagnostics, entryCount, sha256 };
}

/** The image files in an issue's folder, by name; none when there is no folder. */
export function listImages(folder: string): string[] {
  try {
    return imagesAmong(readdirSync(folder));
  } catch {
    return [];
  }
}

/** Which of the names in an issue's folder are images, sorted. */
export function imagesAmong(names: readonly string[]): string[] {
  return names.filter((n) => IMAGE_FILE.test(n)).sort();
}

/** Feeds drop the characters XML forbids, so the editor is told where they are. */
function findForbiddenCharacters(file: string, text: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (!XML_FORBIDDEN.test(text)) return found;
  for (const line of text.split(/\r?\n|\r/).map((t, i) => ({ t, n: i + 1 }))) {
    const m = XML_FORBIDDEN.exec(line.t);
    if (m) {
      const code = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
      found.push(warning({ file, line: line.n }, `a control character U+${code} that feeds cannot carry: it will be dropped from the output`));
    }
  }
  return found;
}

export { parseTextDigest, parseMarkdownDigest };
