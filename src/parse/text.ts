import { error, warning, type Diagnostic } from "../errors.js";
import type { Category, Entry } from "../model/issue.js";
import { splitLines, type SourceLine } from "./lines.js";
import {
  hasCjk,
  isUrlLine,
  matchImageLine,
  matchNumberedHeading,
  matchTaggedHeading,
  splitAffiliations,
  splitAuthors,
  splitBody,
  takeTrailingUrl,
  type EntryHeading,
} from "./entry-parts.js";
import type { DigestContent, ParseResult } from "./content.js";

/**
 * The editor's plain-text format (the sample's own), read line by line:
 *
 *   legend line
 *   1、[LG] *Title / authors / [affiliations] / body … link / image names
 *   section heading ending in `:` or `:`
 *   [LG] Title / Chinese title / authors / [affiliations] / link / image names
 *
 * Blank lines and indentation carry no meaning, so an entry ends only where
 * the next heading starts. Each line moves one entry through its phases.
 */
export function parseTextDigest(file: string, text: string): ParseResult {
  const lines = splitLines(text).filter((l) => l.text !== "");
  const diagnostics: Diagnostic[] = [];
  const content: DigestContent = { tags: [], legend: [], entries: [], extras: [] };
  if (lines.length === 0) {
    diagnostics.push(error({ file, line: 1 }, "the file is empty: expected a category legend line, then numbered entries (`1、[LG] Title`)"));
    return { content, diagnostics };
  }

  let rest = lines;
  const legend = parseLegend(lines[0]!.text);
  if (legend) {
    content.legend = legend.categories;
    if (legend.starNote) content.starNote = legend.starNote;
    rest = lines.slice(1);
  } else if (!matchNumberedHeading(lines[0]!.text)) {
    diagnostics.push(warning({ file, line: lines[0]!.number }, "expected a category legend first (`LG - 机器学习 CV - 计算机视觉 …`); categories will show by their tags only"));
  }

  let current: EntryDraft | undefined;
  const finish = () => {
    if (!current) return;
    const entry = finishEntry(file, current, diagnostics);
    (entry.kind === "numbered" ? content.entries : content.extras).push(entry);
    current = undefined;
  };

  for (const line of rest) {
    const numbered = matchNumberedHeading(line.text);
    if (numbered) {
      finish();
      current = startEntry("numbered", numbered, line);
      continue;
    }
    const betweenEntries = !current || current.phase === "tail";
    if (betweenEntries) {
      const tagged = matchTaggedHeading(line.text);
      if (tagged) {
        finish();
        current = startEntry("extra", tagged, line);
        continue;
      }
      if (/[:：]$/u.test(line.text) && !isUrlLine(line.text)) {
        finish();
        if (content.extrasHeading !== undefined) {
          diagnostics.push(warning({ file, line: line.number }, `a second section heading "${line.text}": the digest has one section of other entries, after the numbered ones`));
        }
        content.extrasHeading = line.text.replace(/[:：]$/u, "").trim();
        continue;
      }
    }
    if (!current) {
      diagnostics.push(error({ file, line: line.number }, `unexpected text "${shorten(line.text)}": expected an entry heading such as \`1、[LG] Title\` or \`[LG] Title\``));
      continue;
    }
    advance(file, current, line, diagnostics);
  }
  finish();

  if (content.entries.length === 0 && content.extras.length === 0 && !diagnostics.some((d) => d.severity === "error")) {
    diagnostics.push(error({ file, line: lines[0]!.number }, "no entries found: expected numbered entries such as `1、[LG] Title`"));
  }
  return { content, diagnostics };
}

type Phase = "chineseTitle" | "authors" | "affiliations" | "body" | "tail";

interface EntryDraft {
  kind: "numbered" | "extra";
  heading: EntryHeading;
  line: SourceLine;
  phase: Phase;
  chineseTitle?: string;
  authors: string[];
  affiliations: string[];
  bodyLines: string[];
  links: string[];
  images: string[];
}

function startEntry(kind: EntryDraft["kind"], heading: EntryHeading, line: SourceLine): EntryDraft {
  return {
    kind,
    heading,
    line,
    phase: kind === "extra" ? "chineseTitle" : "authors",
    authors: [],
    affiliations: [],
    bodyLines: [],
    links: [],
    images: [],
  };
}

/** Moves the entry along its phases with one line; a line that does not fit a phase is offered to the next. */
function advance(file: string, entry: EntryDraft, line: SourceLine, diagnostics: Diagnostic[]): void {
  const text = line.text;
  const images = matchImageLine(text);
  const isTail = images !== undefined || isUrlLine(text);
  switch (entry.phase) {
    case "chineseTitle":
      entry.phase = "authors";
      if (hasCjk(text) && !text.startsWith("[")) {
        entry.chineseTitle = text;
        return;
      }
      return advance(file, entry, line, diagnostics);
    case "authors":
      entry.phase = "affiliations";
      if (text.startsWith("[") || isTail) {
        diagnostics.push(error({ file, line: line.number }, "expected a line of authors after the title (`S Fort, G K Dziugaite`)"));
        return advance(file, entry, line, diagnostics);
      }
      entry.authors = splitAuthors(text);
      return;
    case "affiliations": {
      entry.phase = entry.kind === "numbered" ? "body" : "tail";
      const bracketed = /^\[(.*)\]$/u.exec(text);
      if (bracketed) {
        entry.affiliations = splitAffiliations(bracketed[1]!);
        return;
      }
      diagnostics.push(warning({ file, line: line.number }, "expected the authors' affiliations in brackets (`[Stanford University & UC Berkeley]`)"));
      return advance(file, entry, line, diagnostics);
    }
    case "body":
      if (isTail) {
        entry.phase = "tail";
        return advance(file, entry, line, diagnostics);
      }
      entry.bodyLines.push(text);
      // The link closes the body: what follows is images, a heading or the next entry.
      if (takeTrailingUrl(text).url) entry.phase = "tail";
      return;
    case "tail":
      if (images) entry.images.push(...images);
      else if (isUrlLine(text)) entry.links.push(text);
      else {
        diagnostics.push(error({ file, line: line.number }, `unexpected text "${shorten(text)}" after the entry's link and images: expected image names or the next entry`));
      }
  }
}

function finishEntry(file: string, draft: EntryDraft, diagnostics: Diagnostic[]): Entry {
  const where = { file, line: draft.line.number };
  const { body, url } = takeTrailingUrl(draft.bodyLines.join("\n"));
  const links = url ? [url, ...draft.links] : draft.links;
  const parts = splitBody(body);
  const label = draft.heading.number !== undefined ? `entry ${draft.heading.number}` : `entry "${shorten(draft.heading.title)}"`;

  if (!draft.heading.title) diagnostics.push(error(where, `${label} has no title: expected the English title after the tag`));
  if (draft.heading.stars > 2) diagnostics.push(warning(where, `${label} has ${draft.heading.stars} stars: expected zero to two`));
  if (draft.kind === "numbered" && draft.phase !== "tail" && draft.bodyLines.length === 0) {
    diagnostics.push(error(where, `${label} has no body: expected the Chinese title and summary and the English abstract after the affiliations`));
  }
  if (links.length === 0) {
    diagnostics.push(error(where, `${label} has no link: expected a URL at the end of its body or on a line of its own`));
  }
  return {
    kind: draft.kind,
    ...(draft.heading.number !== undefined ? { number: draft.heading.number } : {}),
    ...(draft.heading.category ? { category: draft.heading.category } : {}),
    stars: Math.min(draft.heading.stars, 2),
    title: draft.heading.title,
    chineseTitle: draft.kind === "extra" ? (draft.chineseTitle ?? "") : parts.chineseTitle,
    authors: draft.authors,
    affiliations: draft.affiliations,
    summary: parts.summary,
    abstract: parts.abstract,
    links,
    images: draft.images,
    source: where,
  };
}

/**
 * `LG - 机器学习 CV - 计算机视觉 … (*表示值得重点关注)`: codes and names, then
 * what a star means in parentheses.
 */
export function parseLegend(line: string): { categories: Category[]; starNote?: string } | undefined {
  let text = line;
  let starNote: string | undefined;
  const note = /[(（]([^()（）]*)[)）]\s*$/u.exec(text);
  if (note) {
    starNote = note[1]!.trim();
    text = text.slice(0, note.index);
  }
  const pair = /([A-Za-z][A-Za-z0-9.+-]*)\s+-\s+(.+?)(?=\s+[A-Za-z][A-Za-z0-9.+-]*\s+-\s+|\s*$)/gu;
  const categories = [...text.matchAll(pair)].map((m) => ({ tag: m[1]!, name: m[2]!.trim() }));
  if (categories.length === 0) return undefined;
  return { categories, ...(starNote ? { starNote } : {}) };
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
