import MarkdownIt from "markdown-it";
import type { Token } from "markdown-it";
import { LineCounter, parseDocument } from "yaml";
import { error, warning, type Diagnostic } from "../errors.js";
import type { Entry } from "../model/issue.js";
import type { DigestContent, ParseResult } from "./content.js";
import {
  matchNumberedHeading,
  matchTaggedHeading,
  matchUntaggedHeading,
  splitAffiliations,
  splitAuthors,
  splitBody,
  type EntryHeading,
} from "./entry-parts.js";

const markdown = new MarkdownIt({ html: false, linkify: false });

/**
 * The Markdown format: YAML front matter (`title`, `summary`, `date`, `tags`),
 * then one entry per `## ` heading. Headings are found by markdown-it's
 * tokens, not by a regular expression, so a `##` inside a code block is text.
 * Order: front matter, then the body's tokens, then each entry's pieces.
 */
export function parseMarkdownDigest(file: string, text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const content: DigestContent = { tags: [], legend: [], entries: [], extras: [] };
  const sourceLines = text.split(/\r?\n|\r/);
  if (text.trim() === "") {
    diagnostics.push(error({ file, line: 1 }, "the file is empty: expected front matter between `---` lines, then `## ` entries"));
    return { content, diagnostics };
  }

  const bodyStart = readFrontMatter(file, sourceLines, content, diagnostics);
  const body = sourceLines.slice(bodyStart).join("\n");
  const tokens = markdown.parse(body, {});

  const headings = tokens
    .map((token, index) => ({ token, index }))
    .filter(({ token }) => token.type === "heading_open" && (token.tag === "h2" || token.tag === "h1"));
  for (const [k, { token, index }] of headings.entries()) {
    const inline = tokens[index + 1]!;
    const line = bodyStart + token.map![0] + 1;
    if (token.tag === "h1") {
      content.title ??= inline.content.trim();
      continue;
    }
    const next = headings[k + 1];
    const endLine = next ? next.token.map![0] : sourceLines.length - bodyStart;
    const sectionStart = token.map![1];
    const sectionLines = sourceLines.slice(bodyStart + sectionStart, bodyStart + endLine);
    const sectionTokens = tokens.slice(index + 3, next ? next.index : tokens.length);
    const heading = matchNumberedHeading(inline.content.trim()) ?? matchTaggedHeading(inline.content.trim()) ?? matchUntaggedHeading(inline.content.trim());
    content.entries.push(readEntry(file, line, heading, { lines: sectionLines, tokens: sectionTokens, firstLine: sectionStart }, diagnostics));
  }
  if (content.entries.length === 0) {
    diagnostics.push(error({ file, line: bodyStart + 1 }, "no entries found: expected one `## [TAG] Title` heading per entry"));
  }
  return { content, diagnostics };
}

/** Returns the index of the first line after the front matter. */
function readFrontMatter(file: string, lines: string[], content: DigestContent, diagnostics: Diagnostic[]): number {
  if (lines[0]?.trim() !== "---") {
    diagnostics.push(warning({ file, line: 1 }, "no front matter: expected `---`, then `title:` and `summary:`, then `---`"));
    return 0;
  }
  const close = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/u.test(l));
  if (close === -1) {
    diagnostics.push(error({ file, line: 1 }, "the front matter is not closed: expected a line `---` after it"));
    return lines.length;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(lines.slice(1, close).join("\n"), { lineCounter, prettyErrors: false });
  for (const e of doc.errors) {
    diagnostics.push(error({ file, line: 1 + lineCounter.linePos(e.pos[0]).line }, `front matter: ${e.message.split("\n")[0]}`));
  }
  if (doc.errors.length > 0) return close + 1;
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return close + 1;
  if (typeof data !== "object" || Array.isArray(data)) {
    diagnostics.push(error({ file, line: 2 }, "front matter: expected fields such as `title:` and `summary:`"));
    return close + 1;
  }
  const fieldLine = (key: string) => {
    const index = lines.findIndex((l, i) => i > 0 && i < close && l.startsWith(`${key}:`));
    return index === -1 ? 1 : index + 1;
  };
  const fields = data as Record<string, unknown>;
  for (const key of ["title", "summary"] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value === "string") content[key] = value.trim();
    else diagnostics.push(error({ file, line: fieldLine(key) }, `front matter: ${key} must be text`));
  }
  if (fields.date !== undefined) {
    const value = fields.date instanceof Date ? fields.date.toISOString().slice(0, 10) : String(fields.date);
    content.statedDate = { value, line: fieldLine("date") };
  }
  if (fields.tags !== undefined) {
    if (Array.isArray(fields.tags) && fields.tags.every((t) => typeof t === "string")) content.tags = fields.tags as string[];
    else diagnostics.push(error({ file, line: fieldLine("tags") }, "front matter: tags must be a list of words (`tags: [ml, rl]`)"));
  }
  const known = new Set(["title", "summary", "date", "tags"]);
  for (const key of Object.keys(fields)) {
    if (!known.has(key)) diagnostics.push(warning({ file, line: fieldLine(key) }, `front matter: unknown field "${key}" is ignored (known: title, summary, date, tags)`));
  }
  return close + 1;
}

const AUTHOR_LINE = /^[*_]([^*_].*?)[*_]\s*(?:[(（](.+)[)）])?\s*$/u;

/**
 * One `## ` section: an optional italic line of authors with affiliations in
 * parentheses, paragraphs (Chinese title and summary, English abstract), a
 * link paragraph and images. What is left is kept as Markdown for renderers.
 */
interface Section {
  lines: string[];
  /** The section's tokens from the parse of the whole body; their maps count from the body's start. */
  tokens: Token[];
  /** The body line the section starts at. */
  firstLine: number;
}

function readEntry(file: string, line: number, heading: EntryHeading, section: Section, diagnostics: Diagnostic[]): Entry {
  const where = { file, line };
  let authors: string[] = [];
  let affiliations: string[] = [];
  const firstText = section.lines.findIndex((l) => l.trim() !== "");
  const lines = [...section.lines];
  let tokens = section.tokens;
  let offset = section.firstLine;
  if (firstText !== -1) {
    const m = AUTHOR_LINE.exec(lines[firstText]!.trim());
    if (m) {
      authors = splitAuthors(m[1]!);
      affiliations = m[2] ? splitAffiliations(m[2]) : [];
      lines[firstText] = "";
      // The author line is its own paragraph (the usual case): drop its tokens.
      // Glued to the next line, it shares a paragraph: parse the rest again.
      const first = tokens[1];
      if (tokens[0]?.type === "paragraph_open" && first?.map && first.map[1] - first.map[0] === 1) tokens = tokens.slice(3);
      else {
        tokens = markdown.parse(lines.join("\n"), {});
        offset = 0;
      }
    }
  }

  const images: string[] = [];
  const links: string[] = [];
  const keptParagraphs: { text: string; listItem: boolean }[] = [];
  const dropLines = new Set<number>();
  forEachParagraph(tokens, (inline, map, marker) => {
    const children = inline.children ?? [];
    for (const child of children) {
      if (child.type === "image") images.push(String(child.attrGet("src") ?? ""));
      if (child.type === "link_open") {
        const href = String(child.attrGet("href") ?? "");
        if (/^https?:\/\//u.test(href)) links.push(href);
      }
    }
    const meaningful = children.filter((c) => !(c.type === "text" && c.content.trim() === "") && c.type !== "softbreak");
    const onlyImages = meaningful.length > 0 && meaningful.every((c) => c.type === "image");
    const onlyLink = meaningful.length === 3 && meaningful[0]!.type === "link_open" && meaningful[2]!.type === "link_close";
    if (onlyImages || onlyLink) {
      for (let i = map[0]; i < map[1]; i++) dropLines.add(i - offset);
    } else {
      keptParagraphs.push({ text: marker + plainText(children), listItem: marker !== "" });
    }
  });

  const kept = lines.filter((_, i) => !dropLines.has(i)).join("\n").trim();
  // List items stay on consecutive lines; paragraphs are separated by a blank line.
  const plain = keptParagraphs.map((p, i) => (i === 0 ? "" : p.listItem && keptParagraphs[i - 1]!.listItem ? "\n" : "\n\n") + p.text).join("");
  const numbered = heading.category !== undefined || heading.number !== undefined;
  // An untagged entry (an editor's note) has no Chinese title: all its Chinese text is the summary.
  const parts = numbered ? splitBody(plain) : { ...splitBody(plain), chineseTitle: "", summary: splitBody(`。${plain}`).summary };
  const body = numbered ? stripChineseTitle(kept, parts.chineseTitle) : kept;
  if (numbered && links.length === 0) {
    diagnostics.push(error(where, `entry "${heading.title}" has no link: expected a line \`[Paper](https://…)\``));
  }
  if (!heading.title) diagnostics.push(error(where, "an entry heading with no title: expected `## [TAG] Title`"));
  return {
    kind: numbered ? "numbered" : "note",
    ...(heading.number !== undefined ? { number: heading.number } : {}),
    ...(heading.category ? { category: heading.category } : {}),
    stars: Math.min(heading.stars, 2),
    title: heading.title,
    chineseTitle: parts.chineseTitle,
    authors,
    affiliations,
    summary: parts.summary,
    abstract: parts.abstract,
    links,
    images: images.filter(Boolean),
    ...(body ? { bodyMarkdown: body } : {}),
    source: where,
  };
}

/** Each inline run of the body, with the list marker its item would have in plain text (`- `, `2. `). */
function forEachParagraph(tokens: Token[], visit: (inline: Token, map: [number, number], marker: string) => void): void {
  const lists: { ordered: boolean; next: number }[] = [];
  let marker = "";
  for (const token of tokens) {
    if (token.type === "bullet_list_open") lists.push({ ordered: false, next: 1 });
    else if (token.type === "ordered_list_open") lists.push({ ordered: true, next: Number(token.attrGet("start") ?? 1) });
    else if (token.type === "bullet_list_close" || token.type === "ordered_list_close") lists.pop();
    else if (token.type === "list_item_open") {
      const list = lists.at(-1)!;
      marker = `${"  ".repeat(lists.length - 1)}${list.ordered ? `${list.next++}. ` : "- "}`;
    } else if (token.type === "inline" && token.map) {
      visit(token, token.map, marker);
      marker = "";
    }
  }
}

function plainText(children: Token[]): string {
  return children
    .map((c) => (c.type === "text" || c.type === "code_inline" ? c.content : c.type === "softbreak" || c.type === "hardbreak" ? "\n" : ""))
    .join("");
}

/** The Chinese title is shown on its own, so the body kept for rendering starts after it. */
function stripChineseTitle(body: string, chineseTitle: string): string {
  if (!chineseTitle) return body;
  const at = body.indexOf("。");
  if (at === -1 || !body.slice(0, at).includes(chineseTitle.slice(0, 4))) return body;
  return body.slice(at + 1).trim();
}
