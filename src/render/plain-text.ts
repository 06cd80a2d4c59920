import type { EntryView, IssueView } from "./issue-view.js";

/**
 * The plain-text part of the newsletter, written from the model (never from
 * the HTML, so nothing in it is markup to interpret): lines wrapped at 72
 * columns with a CJK character counted as two (a terminal draws it two cells
 * wide, UAX #11 "W" and "F"), and every link a numbered reference `[n]`
 * listed at the end, as RFC 3676-era mail readers expect plain text to be.
 */
export const TEXT_WIDTH = 72;

export interface PlainTextOptions {
  unsubscribeUrl: string;
}

export function renderPlainText(view: IssueView, options: PlainTextOptions): string {
  const references: string[] = [];
  const ref = (url: string): string => {
    let n = references.indexOf(url);
    if (n < 0) n = references.push(url) - 1;
    return `[${n + 1}]`;
  };
  const rule = "-".repeat(TEXT_WIDTH);
  const blocks: string[] = [];

  blocks.push([...wrap(view.title), "=".repeat(Math.min(TEXT_WIDTH, displayWidth(view.title))), view.date].join("\n"));
  if (view.summary) blocks.push(wrap(view.summary).join("\n"));
  if (view.tags.length > 0) blocks.push(wrap(`标签 Tags: ${view.tags.join(", ")}`).join("\n"));
  const legend = view.legend.map((c) => `${c.tag} ${c.name}`).join(" · ");
  const legendLines = [...(legend ? wrap(`分类 Categories: ${legend}`) : []), ...(view.starNote ? wrap(`★ ${view.starNote}`) : [])];
  if (legendLines.length > 0) blocks.push(legendLines.join("\n"));
  blocks.push(wrap(`网页版 Web version: ${ref(view.webUrl)}`).join("\n"));

  for (const entry of view.entries) blocks.push(rule, renderEntry(entry, ref));
  if (view.extras.length > 0) {
    blocks.push(rule, view.extrasHeading);
    for (const entry of view.extras) blocks.push(renderExtra(entry, ref));
  }

  blocks.push(
    rule,
    [
      ...wrap(`网页版 Web version: ${ref(view.webUrl)}`),
      ...wrap(`订阅 Feeds: ${view.feeds.map((f) => `${f.title} ${ref(f.url)}`).join(", ")}`),
      ...wrap(`退订 Unsubscribe: ${ref(options.unsubscribeUrl)}`),
    ].join("\n"),
  );
  blocks.push(["链接 Links", ...references.map((url, i) => `[${i + 1}] ${url}`)].join("\n"));
  return `${blocks.join("\n\n")}\n`;
}

function renderEntry(entry: EntryView, ref: (url: string) => string): string {
  const indent = entry.number ? " ".repeat(entry.number.length + 2) : "";
  const lines: string[] = [];
  const head = [entry.number ? `${entry.number}.` : "", entry.starred ? `${entry.starMarks} 重点` : "", entry.category ? `[${entry.category.label}]` : ""]
    .filter(Boolean)
    .join(" ");
  if (head) lines.push(head);
  lines.push(...wrap(entry.link ? `${entry.title} ${ref(entry.link)}` : entry.title, { indent, first: head ? indent : "" }));
  if (entry.chineseTitle) lines.push(...wrap(entry.chineseTitle, { indent, first: indent }));
  if (entry.authors) lines.push(...wrap(entry.authors, { indent, first: indent }));
  if (entry.affiliations) lines.push(...wrap(entry.affiliations, { indent, first: indent }));
  const paragraphs = [entry.summary, ...entry.abstractParagraphs].filter(Boolean);
  if (entry.shortened) paragraphs.push(`阅读全文 Read on: ${ref(entry.readOnUrl)}`);
  if (entry.moreLinks.length > 0) paragraphs.push(`Links: ${entry.moreLinks.map(ref).join(" ")}`);
  if (entry.images.length > 0) paragraphs.push(`图 Images: ${entry.images.map((i) => ref(i.url)).join(" ")}`);
  for (const p of paragraphs) lines.push("", ...wrap(p, { indent, first: indent }));
  return lines.join("\n");
}

function renderExtra(entry: EntryView, ref: (url: string) => string): string {
  const head = [entry.starred ? entry.starMarks : "", entry.category ? `[${entry.category.label}]` : "", entry.link ? `${entry.title} ${ref(entry.link)}` : entry.title]
    .filter(Boolean)
    .join(" ");
  const lines = wrap(head, { first: "- ", indent: "  " });
  for (const part of [entry.chineseTitle, entry.authors, entry.affiliations, entry.summary, ...entry.abstractParagraphs]) {
    if (part) lines.push(...wrap(part, { indent: "  ", first: "  " }));
  }
  if (entry.moreLinks.length > 0) lines.push(...wrap(`Links: ${entry.moreLinks.map(ref).join(" ")}`, { indent: "  ", first: "  " }));
  if (entry.images.length > 0) lines.push(...wrap(`图 Images: ${entry.images.map((i) => ref(i.url)).join(" ")}`, { indent: "  ", first: "  " }));
  return lines.join("\n");
}

/** Columns a terminal gives a character: two for East Asian Wide and Fullwidth (UAX #11), none for combining marks. */
export function charWidth(char: string): number {
  return codePointWidth(char.codePointAt(0) ?? 0);
}

function codePointWidth(cp: number): number {
  if (cp < 0x300) return cp === 0 ? 0 : 1;
  if (cp === 0 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += codePointWidth(char.codePointAt(0)!);
  return width;
}

/** Characters a line should not start with (closing punctuation; JIS X 4051 line-start prohibition, in short). */
const NO_LINE_START_CODES = new Set([..."，。、：；！？）》」』】〕〉”’,.!?:;)]}%"].map((c) => c.codePointAt(0)!));

/**
 * Breaks text into lines of at most `width` columns. Latin words stay whole
 * (a word longer than a line, such as a URL, gets a line of its own); a line
 * may break between any two CJK characters, but not before closing
 * punctuation.
 *
 * Units follow one another in the text with at most one space between them,
 * so a line is a slice of the text from its first unit to its last: the
 * loop keeps indices, not pieces (this runs on every paragraph of every
 * newsletter of a build).
 */
export function wrap(text: string, options: { width?: number; indent?: string; first?: string } = {}): string[] {
  const width = options.width ?? TEXT_WIDTH;
  const indent = options.indent ?? "";
  const first = options.first ?? "";
  // Most of a newsletter's text is English abstracts: printable ASCII only, whose lines are plain greedy word wrap.
  // Its only white space is the space, so it is checked for runs of them without a regular expression (a fifth of
  // this module's time went to the one below).
  const printableAscii = !BEYOND_PRINTABLE_ASCII.test(text);
  const irregular = printableAscii ? text.includes("  ") || text.startsWith(" ") || text.endsWith(" ") : IRREGULAR_SPACE.test(text);
  const normalized = irregular ? text.replace(/\s+/gu, " ").trim() : text;
  // Normalising can make text printable ASCII (an ideographic space becomes a space), never the other way.
  if (normalized.length > 0 && (irregular ? !BEYOND_PRINTABLE_ASCII.test(normalized) : printableAscii)) return wrapAsciiWords(normalized, width, first, indent);
  return wrapUnits(normalized, width, first, indent);
}

const BEYOND_PRINTABLE_ASCII = /[^ -~]/;
/** White space other than single spaces between words: two together, any but the space, or at either end. */
const IRREGULAR_SPACE = /\s\s|[^\S ]|^ | $/;

/** A wrapped line: the first one after `first`, the others after `indent`. */
function pushLine(lines: string[], first: string, indent: string, text: string): void {
  lines.push(`${lines.length === 0 ? first : indent}${text}`.trimEnd());
}

/**
 * `wrap` for a text of printable ASCII words with single spaces between
 * them: each word is one unit as wide as it is long, and no ASCII word
 * starts with a character that must stay on the line before it (a word
 * follows a space, and only CJK text has a unit without one), so a line
 * takes the words that fit. Exported for the test that proves it the same
 * as `wrapUnits` on such text.
 */
export function wrapAsciiWords(text: string, width: number, first: string, indent: string): string[] {
  const lines: string[] = [];
  const indentWidth = displayWidth(indent);
  let lineWidth = displayWidth(first);
  let lineStart = 0;
  let lineEnd = 0;
  let empty = true;
  for (let start = 0; start < text.length; ) {
    const space = text.indexOf(" ", start);
    const end = space < 0 ? text.length : space;
    if (!empty && lineWidth + 1 + (end - start) > width) {
      pushLine(lines, first, indent, text.slice(lineStart, lineEnd));
      lineWidth = indentWidth;
      empty = true;
    }
    if (empty) lineStart = start;
    else lineWidth += 1;
    lineWidth += end - start;
    lineEnd = end;
    empty = false;
    start = end + 1;
  }
  pushLine(lines, first, indent, text.slice(lineStart, lineEnd));
  return lines;
}

/** `wrap` for any normalised text, by its units (`splitUnits`). Exported for the test of `wrapAsciiWords`. */
export function wrapUnits(normalized: string, width: number, first: string, indent: string): string[] {
  const units = splitUnits(normalized);
  const lines: string[] = [];
  const indentWidth = displayWidth(indent);
  // The line being filled: its units (spaces included, as the count of the carry rule), its text span and width.
  let count = 0;
  let lineStart = 0;
  let lineEnd = 0;
  let lineWidth = displayWidth(first);
  let lastStart = 0;
  let lastWidth = 0;
  let pendingSpace = false;
  const flush = (end: number) => {
    pushLine(lines, first, indent, normalized.slice(lineStart, end));
    count = 0;
    lineWidth = indentWidth;
    pendingSpace = false;
  };
  for (let k = 0; k < units.length; k++) {
    const start = units.starts[k]!;
    if (start < 0) {
      pendingSpace = count > 0;
      continue;
    }
    const unitWidth = units.widths[k]!;
    const spaceWidth = pendingSpace ? 1 : 0;
    if (count > 0 && lineWidth + spaceWidth + unitWidth > width) {
      // Keep closing punctuation with the character before it.
      const carry = !pendingSpace && NO_LINE_START_CODES.has(normalized.charCodeAt(start)) && count > 1;
      if (carry) {
        flush(lastStart);
        lineStart = lastStart;
        count = 1;
        lineWidth += lastWidth;
      } else {
        flush(lineEnd);
        lineStart = start;
      }
    } else if (pendingSpace) {
      count += 1;
      lineWidth += 1;
    } else if (count === 0) {
      lineStart = start;
    }
    pendingSpace = false;
    count += 1;
    lineWidth += unitWidth;
    lineEnd = units.ends[k]!;
    lastStart = start;
    lastWidth = unitWidth;
  }
  if (count > 0 || lines.length === 0) flush(count > 0 ? lineEnd : lineStart);
  return lines;
}

/**
 * Words of narrow characters, single wide characters, and single spaces, as
 * parallel arrays: where each starts and ends in the text and its width in
 * columns; a space has start -1. One list, reused by every call: `wrap`
 * runs on every paragraph of every newsletter, and arrays made afresh for
 * each were a tenth of a build's garbage.
 */
class UnitList {
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  widths = new Int32Array(1024);
  length = 0;

  push(start: number, end: number, width: number): void {
    if (this.length === this.starts.length) this.#grow();
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.widths[this.length] = width;
    this.length += 1;
  }

  #grow(): void {
    const larger = (from: Int32Array) => {
      const to = new Int32Array(from.length * 2);
      to.set(from);
      return to;
    };
    this.starts = larger(this.starts);
    this.ends = larger(this.ends);
    this.widths = larger(this.widths);
  }
}

const unitList = new UnitList();

/** The units of `text` (see `UnitList`), in the shared list: read them before the next call. */
function splitUnits(text: string): UnitList {
  const units = unitList;
  units.length = 0;
  let wordStart = -1;
  let wordWidth = 0;
  const endWord = (end: number) => {
    if (wordStart >= 0) units.push(wordStart, end, wordWidth);
    wordStart = -1;
    wordWidth = 0;
  };
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    const columns = codePointWidth(cp);
    const last = units.length - 1;
    if (cp === 0x20) {
      endWord(i);
      units.push(-1, -1, 1);
    } else if (columns === 2) {
      endWord(i);
      units.push(i, i + size, 2);
    } else if (wordStart < 0 && NO_LINE_START_CODES.has(cp) && last >= 0 && units.starts[last]! >= 0) {
      // Narrow punctuation right after a CJK character joins it: `模型,` stays together.
      units.ends[last] = i + size;
      units.widths[last] = units.widths[last]! + columns;
    } else {
      if (wordStart < 0) wordStart = i;
      wordWidth += columns;
      // The rest of a run of printable ASCII in one step: most of an English abstract.
      let next = i + size;
      while (next < text.length) {
        const code = text.charCodeAt(next);
        if (code <= 0x20 || code > 0x7e) break;
        next += 1;
      }
      wordWidth += next - i - size;
      i = next;
      continue;
    }
    i += size;
  }
  endWord(text.length);
  return units;
}
