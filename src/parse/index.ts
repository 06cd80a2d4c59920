import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { error, warning, hasErrors, sortDiagnostics, type Diagnostic } from "../errors.js";
import type { DigestFormat, Issue } from "../model/issue.js";
import { isCalendarDate } from "../model/calendar.js";
import { validateIssue } from "../model/validate.js";
import { XML_FORBIDDEN } from "../model/xml-characters.js";
import type { ParseResult } from "./content.js";
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

/**
 * Reads every digest in a folder into the model. Order: list the folder,
 * check each name, decode and parse each file, check the whole issue, then
 * look for two files of one date. Every problem is returned; nothing throws
 * for bad input.
 */
export async function loadIssues(issuesDir: string, options: { displayRoot?: string } = {}): Promise<LoadResult> {
  const display = (path: string) => relative(options.displayRoot ?? process.cwd(), path) || path;
  let names: string[];
  let folders: Set<string>;
  try {
    const dirents = await readdir(issuesDir, { withFileTypes: true });
    names = dirents.filter((d) => d.isFile()).map((d) => d.name).sort();
    folders = new Set(dirents.filter((d) => d.isDirectory()).map((d) => d.name));
  } catch (cause) {
    const diagnostic = error({ file: display(issuesDir) }, `cannot read the issues folder: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    return { issues: [], diagnostics: [diagnostic], files: [], entryCount: 0, sourceHashes: new Map() };
  }

  const diagnostics: Diagnostic[] = [];
  const issues: Issue[] = [];
  const files: string[] = [];
  let entryCount = 0;
  const sourceHashes = new Map<string, string>();
  const byDate = new Map<string, string>();
  for (const name of names) {
    const path = join(issuesDir, name);
    const file = display(path);
    if (name.startsWith(".") || !/\.(txt|md)$/u.test(name)) continue;
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

    // Synchronous on purpose: a digest is a few KB, and a promise-based read
    // costs four thread-pool round trips (open, stat, read, close) per file,
    // which dominated loading a 3,650-issue archive.
    const bytes = readFileSync(path);
    sourceHashes.set(date, createHash("sha256").update(bytes).digest("hex"));
    const decoded = decodeDigest(file, bytes);
    if (!decoded.ok) {
      diagnostics.push(decoded.diagnostic);
      continue;
    }
    const format: DigestFormat = extension === "md" ? "markdown" : "text";
    const parsed: ParseResult = format === "markdown" ? parseMarkdownDigest(file, decoded.text) : parseTextDigest(file, decoded.text);
    const fileDiagnostics = [...parsed.diagnostics, ...findForbiddenCharacters(file, decoded.text)];
    const { statedDate, ...content } = parsed.content;
    entryCount += content.entries.length + content.extras.length;
    if (statedDate && statedDate.value !== date) {
      fileDiagnostics.push(error({ file, line: statedDate.line }, `front matter: date ${statedDate.value} does not agree with the file name's ${date}`));
    }
    const issue: Issue = {
      ...content,
      date,
      ...(slug ? { slug } : {}),
      imageFiles: folders.has(date) ? await listImages(join(issuesDir, date)) : [],
      source: { file, format },
    };
    fileDiagnostics.push(...validateIssue(issue));
    diagnostics.push(...fileDiagnostics);
    if (!hasErrors(fileDiagnostics)) issues.push(issue);
  }
  issues.sort((a, b) => a.date.localeCompare(b.date));
  return { issues, diagnostics: sortDiagnostics(diagnostics), files, entryCount, sourceHashes };
}

async function listImages(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((n) => IMAGE_FILE.test(n)).sort();
  } catch {
    return [];
  }
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
