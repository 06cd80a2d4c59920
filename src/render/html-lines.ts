import { eastAsianWidthType } from "get-east-asian-width";
import { linesOver, MAX_LINE_OCTETS, type LineSpan } from "./newsletter.js";

/**
 * Breaks the lines of an HTML document that are over `limit` octets of
 * UTF-8 (RFC 5322 §2.1.1: 998), so that the sender can send it as it is
 * (8bit) instead of quoted-printable, without changing what a reader sees:
 * only an ASCII space in text becomes a newline, and only where a newline
 * renders as that space did. Order:
 * 1. find the lines over the limit; none: return the document as it is;
 * 2. read the markup from the start to the end of the last long line, "<"
 *    to "<", and keep the runs of text in long lines whose white space
 *    collapses: outside every tag, comment and raw-text element (`<style>`,
 *    `<script>`, `<textarea>`, `<title>`), outside `<pre>`, `<listing>`,
 *    `<svg>` and `<math>` (SVG's default `xml:space` drops a newline
 *    instead of making it a space), and outside any element whose inline
 *    style keeps white space (`white-space: pre…` or `break-spaces`,
 *    `white-space-collapse: preserve…`), each with the characters of text
 *    before and after it, whatever markup lies between;
 * 3. in each long line, counting octets from its start, replace the last
 *    space of those runs that keeps the line within the limit, if the
 *    characters either side of its run of spaces are safe (below), and go
 *    on from there to the end of the line. A stretch with no such space
 *    stays as it is, and the sender sends that part quoted-printable.
 *
 * Why: in `white-space: normal` and `nowrap` a line break ("segment
 * break") is collapsible white space like a space (CSS Text 3 §4.1.1), and
 * becomes a space (§4.1.3), except that a browser may remove it between two
 * East Asian Fullwidth, Wide or Halfwidth characters, or beside U+200B,
 * where a space would have shown. So a space is only broken between two
 * characters that are neither (nor, to stay on the safe side, a combining
 * mark or format character, or an unknown character reference). If a style
 * sheet in the document keeps white space anywhere (which elements it
 * reaches cannot be told here), nothing is broken.
 *
 * A replaced space is one octet for one: the message's size is unchanged.
 * A CRLF document gets LF breaks; the sender writes every line break as CRLF.
 */
export function breakLongHtmlLines(html: string, limit: number = MAX_LINE_OCTETS): string {
  return breakLongHtmlLinesInPieces(html, limit).join("");
}

/**
 * `breakLongHtmlLines`, as the document's pieces in order: the text between
 * the breaks (views into `html`, not copies), each break a "\n" of its own.
 * For a writer that takes text in pieces (`TextPieces`): joined, a
 * newsletter is a string of 50,000–70,000 characters made only to be
 * written out, and one of over 64,000 (two bytes each) takes pages of
 * memory of its own, mapped and unmapped for it.
 */
export function breakLongHtmlLinesInPieces(html: string, limit: number = MAX_LINE_OCTETS): string[] {
  const longLines = linesOver(html, limit);
  if (longLines.length === 0) return [html];
  const texts = new TextReader(html, longLines).read();
  if (!texts) return [html];
  const breaks = chooseBreaks(html, longLines, texts, limit);
  const pieces: string[] = [];
  let from = 0;
  for (const at of breaks) {
    pieces.push(html.slice(from, at), "\n");
    from = at + 1;
  }
  pieces.push(from === 0 ? html : html.slice(from));
  return pieces;
}

/** A run of text (between two pieces of markup) in a long line, whose spaces may be broken. */
interface TextRun {
  from: number;
  to: number;
  /** The character of text before the run, and after it (code points; BLOCKED for none, or not known). */
  before: number;
  after: number;
}

/** `white-space` or `white-space-collapse`, in any case (CSS property names are ASCII case-insensitive). */
const WHITE_SPACE = /white-space/iu;
/** A declaration that keeps spaces or line breaks (CSS Text 3 §3, and Text 4's longhand). */
const PRESERVING = /white-space(?:-collapse)?\s*:\s*(?:pre|break-spaces|preserve)/iu;

/** Elements whose text is not markup (HTML § 13.1.2.1: raw text and escapable raw text, and xmp, iframe, noembed, noframes). */
const RAW_TEXT = new Set(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]);
/** Elements whose white space is kept (pre, listing) or whose newlines are not spaces (SVG, MathML). */
const KEEPING_ELEMENTS = new Set(["pre", "listing", "svg", "math"]);
/** Elements without content: a white-space style on one reaches nothing. */
const VOID_ELEMENTS = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
/** The first letters of the names above and of `plaintext`, as bits (a = 0): other tags' names are not read. */
const SPECIAL_INITIALS = [..."stxinplm"].reduce((bits, letter) => bits | (1 << (letter.charCodeAt(0) - 0x61)), 0);

type MarkupKind = "text" | "comment" | "start" | "end";

/**
 * One pass over the document up to the end of its last long line, from
 * "<" to "<", reading markup as the HTML tokenizer does: a start or end tag
 * up to its ">" (a ">" inside a quoted attribute value does not end it), a
 * comment (`<!-- -->`), a doctype, processing instruction or bogus comment
 * up to its ">"; any other "<" is text.
 */
class TextReader {
  private readonly runs: TextRun[] = [];
  /** Only documents that mention white-space at all need their declarations read. */
  private readonly mayPreserve: boolean;
  /** The first long line that does not end before the text being read. */
  private line = 0;
  /** The last non-white-space character of text so far, as a code point. */
  private before = BLOCKED;
  /** Runs kept so far whose character after is still to be seen; from here to the end of `runs`. */
  private waiting = 0;
  /** The element that keeps white space (pre, svg, one styled so), and how deep its own kind is nested in it. */
  private keepingName = "";
  private keepingDepth = 0;
  /** The markup just read: where it ends, its name (lower case; "" when it does not matter), whether it ends in "/>". */
  private end = 0;
  private name = "";
  private selfClosing = false;
  /** The next `"` and `'` at or after where each was last searched for: tags are read in order, so each is found once. */
  private nextDouble = -1;
  private nextSingle = -1;

  constructor(
    private readonly html: string,
    private readonly longLines: readonly LineSpan[],
  ) {
    this.mayPreserve = WHITE_SPACE.test(html);
  }

  /** The runs of text in long lines whose spaces may be broken, in order; undefined if a style sheet keeps white space. */
  read(): TextRun[] | undefined {
    const html = this.html;
    const until = this.longLines[this.longLines.length - 1]!.end;
    let textStart = 0;
    let searchFrom = 0;
    // On past the last long line until the runs that end it know the character after them.
    while (textStart < until || this.waiting < this.runs.length) {
      const open = html.indexOf("<", searchFrom);
      if (open === -1) {
        this.takeText(textStart, html.length, this.keepingDepth > 0);
        break;
      }
      const kind = this.readMarkup(open);
      if (kind === "text") {
        searchFrom = open + 1;
        continue;
      }
      if (open > textStart) this.takeText(textStart, open, this.keepingDepth > 0);
      textStart = searchFrom = this.end;
      if (kind === "comment") {
        if (this.mayPreserve && PRESERVING.test(html.slice(open, this.end))) return undefined;
        continue;
      }
      const name = this.name;
      if (kind === "end") {
        if (this.keepingDepth > 0 && name === this.keepingName) this.keepingDepth--;
        continue;
      }
      if (RAW_TEXT.has(name)) {
        const close = findEndTag(html, name, this.end);
        if (this.mayPreserve && name === "style" && PRESERVING.test(html.slice(this.end, close))) return undefined;
        // A textarea's and a title's text is shown (a neighbour, kept as it is); a style sheet's or a script's is not.
        if (name === "textarea" || name === "title") this.takeText(this.end, close, true);
        textStart = searchFrom = close;
      } else if (name === "plaintext") {
        break; // everything after it is text, shown as it is
      } else if (this.keepingDepth > 0) {
        if (name === this.keepingName && !this.selfClosing) this.keepingDepth++;
      } else if (
        KEEPING_ELEMENTS.has(name)
          ? // `<svg/>` and `<math/>` close themselves; an HTML element's "/>" means nothing (it stays open).
            !(this.selfClosing && (name === "svg" || name === "math"))
          : this.mayPreserve && !VOID_ELEMENTS.has(name) && PRESERVING.test(html.slice(open, this.end))
      ) {
        this.keepingName = name;
        this.keepingDepth = 1;
      }
    }
    return this.runs;
  }

  /** One run of text between two pieces of markup: kept if in a long line and breakable, and a neighbour of the runs around it. */
  private takeText(from: number, to: number, kept: boolean): void {
    const html = this.html;
    const lines = this.longLines;
    if (!kept) {
      while (this.line < lines.length && lines[this.line]!.end <= from) this.line++;
      if (this.line < lines.length && lines[this.line]!.start < to) this.runs.push({ from, to, before: this.before, after: BLOCKED });
    }
    const first = skipWhiteSpace(html, from, to);
    if (first === to) return; // only white space: the neighbours are further out
    const after = codePointAfter(html, first, to);
    for (let i = this.waiting; i < this.runs.length; i++) {
      const run = this.runs[i]!;
      if (run.from < from) run.after = after;
    }
    this.waiting = this.runs.length > 0 && this.runs[this.runs.length - 1]!.from === from ? this.runs.length - 1 : this.runs.length;
    this.before = codePointBefore(html, from, lastNonWhiteSpace(html, from, to));
  }

  /** Reads the markup at `open` (a "<"), setting `end`, and `name` and `selfClosing` for a tag. */
  private readMarkup(open: number): MarkupKind {
    const html = this.html;
    const next = html.charCodeAt(open + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      // Searched from the first "-": `<!-->` and `<!--->` are empty comments too.
      this.end = next === 0x21 && html.startsWith("--", open + 2) ? endAfter(html, "-->", open + 2) : endAfter(html, ">", open + 2);
      return "comment";
    }
    const isEnd = next === 0x2f; /* / */
    const nameStart = isEnd ? open + 2 : open + 1;
    const initial = html.charCodeAt(nameStart) | 0x20; // ASCII lower case
    if (initial < 0x61 || initial > 0x7a) {
      if (!isEnd) return "text"; // "<" and a space, say
      this.end = endAfter(html, ">", nameStart); // `</>` is dropped, `</ …>` is a bogus comment
      return "comment";
    }
    let nameEnd = nameStart + 1;
    while (nameEnd < html.length && !isTagNameEnd(html.charCodeAt(nameEnd))) nameEnd++;
    this.end = this.tagEnd(nameEnd);
    this.selfClosing = html.charCodeAt(this.end - 2) === 0x2f;
    const length = nameEnd - nameStart;
    const special = length >= 3 && length <= 9 && (SPECIAL_INITIALS & (1 << (initial - 0x61))) !== 0;
    this.name = special || this.keepingDepth > 0 || this.mayPreserve ? html.slice(nameStart, nameEnd).toLowerCase() : "";
    return isEnd ? "end" : "start";
  }

  /** The index after a tag's ">", from after its name. */
  private tagEnd(from: number): number {
    const html = this.html;
    let close = html.indexOf(">", from);
    for (let at = from; ; ) {
      if (close === -1) return html.length;
      if (this.nextDouble !== Infinity && this.nextDouble < at) this.nextDouble = indexOrInfinity(html, '"', at);
      if (this.nextSingle !== Infinity && this.nextSingle < at) this.nextSingle = indexOrInfinity(html, "'", at);
      const quote = Math.min(this.nextDouble, this.nextSingle);
      if (quote > close) return close + 1;
      // A quote opens a value only right after "=" (and white space); elsewhere it is part of a name or an unquoted value.
      if (isValueStart(html, quote)) {
        const closeQuote = html.indexOf(html[quote]!, quote + 1);
        if (closeQuote === -1) return html.length;
        at = closeQuote + 1;
        if (close < at) close = html.indexOf(">", at);
      } else {
        at = quote + 1;
      }
    }
  }
}

function endAfter(html: string, search: string, from: number): number {
  const found = html.indexOf(search, from);
  return found === -1 ? html.length : found + search.length;
}

function indexOrInfinity(html: string, search: string, from: number): number {
  const found = html.indexOf(search, from);
  return found === -1 ? Infinity : found;
}

function isValueStart(html: string, quote: number): boolean {
  let i = quote - 1;
  while (i >= 0 && isHtmlWhiteSpace(html.charCodeAt(i))) i--;
  return html.charCodeAt(i) === 0x3d; /* = */
}

const END_TAGS = new Map<string, RegExp>();

/** Where the raw text of a `<style>` (etc.) ends: at its end tag, in any case, or at the end of the document. */
function findEndTag(html: string, name: string, from: number): number {
  let pattern = END_TAGS.get(name);
  if (!pattern) {
    pattern = new RegExp(`</${name}[\\t\\n\\f\\r />]`, "giu");
    END_TAGS.set(name, pattern);
  }
  pattern.lastIndex = from;
  const match = pattern.exec(html);
  return match ? match.index : html.length;
}

/**
 * Where to break each long line: greedily, at the last breakable space
 * that keeps the line within the limit; where a stretch has none, at the
 * first after it (that line stays too long, the rest may not).
 */
function chooseBreaks(html: string, lines: readonly LineSpan[], runs: readonly TextRun[], limit: number): number[] {
  const breaks: number[] = [];
  const spaces = new BreakableSpaces(html, runs);
  for (const line of lines) {
    let lineStart = line.start;
    while (lineStart < line.end) {
      const over = firstOver(html, lineStart, line.end, limit);
      if (over === line.end) break;
      const space = spaces.lastUpTo(over, lineStart + 1) ?? spaces.firstFrom(over + 1, line.end);
      if (space === undefined) break;
      breaks.push(space);
      lineStart = space + 1;
    }
  }
  return breaks;
}

/** The index of the first character that does not fit in `limit` octets of UTF-8 from `from`, or `to` if all fit. */
function firstOver(html: string, from: number, to: number, limit: number): number {
  let octets = 0;
  let at = from;
  while (at < to) {
    const unit = html.charCodeAt(at);
    let width = 1;
    let units = 1;
    if (unit >= 0x80) {
      if (unit < 0x800) width = 2;
      else if (unit >= 0xd800 && unit <= 0xdbff && at + 1 < to && isLowSurrogate(html.charCodeAt(at + 1))) {
        width = 4;
        units = 2;
      } else width = 3; // a lone surrogate is written as U+FFFD, three octets
    }
    if (octets + width > limit) return at;
    octets += width;
    at += units;
  }
  return to;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The spaces that can be broken: one per run of spaces and tabs (its first space, so no line ends in white space), in a kept run of text, between two safe characters. */
class BreakableSpaces {
  constructor(
    private readonly html: string,
    private readonly runs: readonly TextRun[],
  ) {}

  /** The last breakable space at or before `at`, and not before `min`. */
  lastUpTo(at: number, min: number): number | undefined {
    for (let r = this.runAtOrBefore(at); r >= 0 && this.runs[r]!.to > min; r--) {
      const run = this.runs[r]!;
      for (let i = this.html.lastIndexOf(" ", Math.min(at, run.to - 1)); i >= Math.max(run.from, min); i = this.html.lastIndexOf(" ", i - 1)) {
        const space = this.firstOfRun(run, i);
        if (space >= min && this.isBreakable(run, space)) return space;
        i = space; // the rest of this run of spaces is the same run
      }
    }
    return undefined;
  }

  /** The first breakable space at or after `at`, before `max`. */
  firstFrom(at: number, max: number): number | undefined {
    for (let r = Math.max(0, this.runAtOrBefore(at)); r < this.runs.length && this.runs[r]!.from < max; r++) {
      const run = this.runs[r]!;
      for (let i = this.html.indexOf(" ", Math.max(at, run.from)); i !== -1 && i < Math.min(run.to, max); i = this.html.indexOf(" ", i + 1)) {
        const space = this.firstOfRun(run, i);
        if (space >= at && this.isBreakable(run, space)) return space;
        while (i + 1 < run.to && isSpaceOrTab(this.html.charCodeAt(i + 1))) i++;
      }
    }
    return undefined;
  }

  /** The index of the last run that starts at or before `at` (-1 if none). */
  private runAtOrBefore(at: number): number {
    let low = 0;
    let high = this.runs.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.runs[middle]!.from <= at) low = middle + 1;
      else high = middle - 1;
    }
    return high;
  }

  /** The first space of the run of spaces and tabs that holds the space at `i`. */
  private firstOfRun(run: TextRun, i: number): number {
    let first = i;
    for (let j = i - 1; j >= run.from; j--) {
      const c = this.html.charCodeAt(j);
      if (c === 0x20) first = j;
      else if (c !== TAB) break;
    }
    return first;
  }

  /** Whether the run of spaces and tabs starting at `space` has safe characters either side (a line break beside it: already broken there). */
  private isBreakable(run: TextRun, space: number): boolean {
    const html = this.html;
    let start = space;
    while (start > run.from && html.charCodeAt(start - 1) === TAB) start--;
    let end = space + 1;
    while (end < run.to && isSpaceOrTab(html.charCodeAt(end))) end++;
    const left = start > run.from ? html.charCodeAt(start - 1) : -1;
    const right = end < run.to ? html.charCodeAt(end) : -1;
    const leftSafe = isPlainAscii(left) || (left === -1 ? isSafeNeighbour(run.before) : !isHtmlWhiteSpace(left) && isSafeNeighbour(codePointBefore(html, run.from, start - 1)));
    return leftSafe && (isPlainAscii(right) || (right === -1 ? isSafeNeighbour(run.after) : !isHtmlWhiteSpace(right) && isSafeNeighbour(codePointAfter(html, end, run.to))));
  }
}

const BLOCKED = -1;
const TAB = 0x09;
const LF = 0x0a;
const FF = 0x0c;
const CR = 0x0d;

/**
 * Whether a line break beside this character renders as a space did: not
 * East Asian Fullwidth, Wide or Halfwidth, not U+200B ZERO WIDTH SPACE
 * (CSS Text 3 §4.1.3), and, to stay on the safe side, no other format
 * character, no combining mark (its base could be wide), no white space
 * (written as a character reference), no unknown character.
 */
function isSafeNeighbour(codePoint: number): boolean {
  if (codePoint === BLOCKED) return false;
  if (codePoint < 0x80) return codePoint > 0x20 && codePoint !== 0x7f;
  if (codePoint === 0xa0) return true; // NO-BREAK SPACE: not collapsible white space, not wide
  if (UNSAFE_CATEGORY.test(String.fromCodePoint(codePoint))) return false;
  const width = eastAsianWidthType(codePoint);
  return width !== "wide" && width !== "fullwidth" && width !== "halfwidth";
}

const UNSAFE_CATEGORY = /^[\p{M}\p{Cf}\p{Cc}\p{Z}]/u;

/** The code point that the text at `at` shows: a character (a surrogate pair whole) or a character reference. */
function codePointAfter(html: string, at: number, to: number): number {
  if (html.charCodeAt(at) === 0x26 /* & */) {
    const semicolon = html.indexOf(";", at);
    const body = semicolon !== -1 && semicolon < to && semicolon - at <= MAX_REFERENCE ? html.slice(at + 1, semicolon) : "";
    return REFERENCE_BODY.test(body) ? decodeReference(body) : 0x26;
  }
  return html.codePointAt(at) ?? BLOCKED;
}

/** The code point that the text ending at `last` (inclusive) shows, looking back no further than `from`. */
function codePointBefore(html: string, from: number, last: number): number {
  if (last < from) return BLOCKED;
  const unit = html.charCodeAt(last);
  if (unit === 0x3b /* ; */) {
    const amp = html.lastIndexOf("&", last);
    const body = amp >= from && last - amp <= MAX_REFERENCE ? html.slice(amp + 1, last) : "";
    return REFERENCE_BODY.test(body) ? decodeReference(body) : unit;
  }
  if (isLowSurrogate(unit) && last > from) return html.codePointAt(last - 1) ?? BLOCKED;
  return unit;
}

const MAX_REFERENCE = 32;
const REFERENCE_BODY = /^(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*)$/u;

/**
 * A character reference's code point (`amp`, `#39`, `#x4E2D`): numeric ones
 * decoded, named ones only for the few a template or LiquidJS writes; any
 * other name might be wide, so it blocks.
 */
function decodeReference(body: string): number {
  if (body.startsWith("#")) {
    const value = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return Number.isSafeInteger(value) && value > 0 && value <= 0x10ffff ? value : BLOCKED;
  }
  return NAMED_REFERENCES.get(body) ?? BLOCKED;
}

const NAMED_REFERENCES: ReadonlyMap<string, number> = new Map([
  ["amp", 0x26],
  ["lt", 0x3c],
  ["gt", 0x3e],
  ["quot", 0x22],
  ["apos", 0x27],
  ["nbsp", 0xa0],
]);

function skipWhiteSpace(html: string, from: number, to: number): number {
  let i = from;
  while (i < to && isHtmlWhiteSpace(html.charCodeAt(i))) i++;
  return i;
}

function lastNonWhiteSpace(html: string, from: number, to: number): number {
  let i = to - 1;
  while (i >= from && isHtmlWhiteSpace(html.charCodeAt(i))) i--;
  return i;
}

/** A printable ASCII character that stands for itself: not white space, and neither end of a character reference. */
function isPlainAscii(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x26 && c !== 0x3b;
}

function isHtmlWhiteSpace(c: number): boolean {
  return c === 0x20 || c === TAB || c === LF || c === FF || c === CR;
}

function isSpaceOrTab(c: number): boolean {
  return c === 0x20 || c === TAB;
}

function isTagNameEnd(c: number): boolean {
  return isHtmlWhiteSpace(c) || c === 0x2f || c === 0x3e;
}
