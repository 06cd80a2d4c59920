import MarkdownIt from "markdown-it";
import type { Token } from "markdown-it";
import type { Config } from "../config/schema.js";
import { allEntries, categoryName, type Entry, type Issue } from "../model/issue.js";
import { imageUrl, issueUrl } from "./urls.js";
import { escapeMarkup } from "./xml-text.js";

/**
 * The HTML a feed reader shows for an issue or an entry: small, semantic,
 * with no styles or scripts (readers strip them), and with every link and
 * image absolute, because a reader has no base URL to resolve against. Plain
 * text from the model is escaped here; the result is HTML to be escaped once
 * more by whichever feed format carries it.
 */

/** `html: false`: raw HTML in a Markdown body is shown as text, like `<eos>`. */
const markdown = new MarkdownIt({ html: false, linkify: false });

/** Titles of the starred entries: the issue's summary when the editor wrote none. */
export function summarizeIssue(issue: Issue): string {
  if (issue.summary) return issue.summary;
  const entries = allEntries(issue).filter((e) => e.kind !== "note");
  const starred = entries.filter((e) => e.stars > 0);
  return (starred.length > 0 ? starred : entries).map((e) => e.title).join("; ");
}

/** `2020-10-30`, or `2020-11-02 · 周末特刊` when the issue has its own title. */
export function titleIssue(issue: Issue): string {
  return issue.title ? `${issue.date} · ${issue.title}` : issue.date;
}

export function renderIssueContent(issue: Issue, config: Config): string {
  // One list of lines for the whole issue, joined once: the feed archive makes this for every issue.
  const parts: string[] = [];
  if (issue.summary) parts.push(`<p>${escapeMarkup(issue.summary)}</p>`);
  for (const entry of issue.entries) renderEntry(issue, entry, config, "h2", parts);
  if (issue.extras.length > 0) {
    if (issue.extrasHeading) parts.push(`<h2>${escapeMarkup(issue.extrasHeading)}</h2>`);
    for (const entry of issue.extras) renderEntry(issue, entry, config, "h3", parts);
  }
  if (issue.starNote) parts.push(`<p><small>${escapeMarkup(issue.starNote)}</small></p>`);
  parts.push(`<p><a href="${escapeMarkup(issueUrl(config, issue.date))}">${escapeMarkup(issue.date)}</a></p>`);
  return parts.join("\n");
}

/** One entry on its own (the category feeds), with a link back to its issue. */
export function renderEntryContent(issue: Issue, entry: Entry, config: Config): string {
  const parts: string[] = [];
  renderEntry(issue, entry, config, "h2", parts);
  parts.push(`<p><a href="${escapeMarkup(issueUrl(config, issue.date))}">${escapeMarkup(titleIssue(issue))}</a></p>`);
  return parts.join("\n");
}

/** `1、[LG] ★ Title`: the entry's heading as the editor numbered, tagged and starred it. */
export function headingOf(issue: Issue, entry: Entry): string {
  const number = entry.number === undefined ? "" : `${entry.number}、`;
  const name = entry.category ? categoryName(issue, entry.category) : undefined;
  const tag = entry.category ? `[${entry.category}${name ? ` ${name}` : ""}] ` : "";
  const stars = entry.stars > 0 ? `${"★".repeat(entry.stars)} ` : "";
  return `${number}${tag}${stars}${entry.title}`;
}

/** The entry's lines of HTML, added to `parts`. */
function renderEntry(issue: Issue, entry: Entry, config: Config, level: "h2" | "h3", parts: string[]): void {
  parts.push(`<${level}>${escapeMarkup(headingOf(issue, entry))}</${level}>`);
  if (entry.chineseTitle) parts.push(`<p><strong>${escapeMarkup(entry.chineseTitle)}</strong></p>`);
  if (entry.authors.length > 0) parts.push(`<p>${escapeMarkup(entry.authors.join(", "))}</p>`);
  if (entry.affiliations.length > 0) parts.push(`<p><em>${escapeMarkup(entry.affiliations.join(" & "))}</em></p>`);
  if (entry.bodyMarkdown !== undefined) {
    parts.push(renderMarkdown(entry.bodyMarkdown, issueUrl(config, issue.date)));
  } else {
    if (entry.summary) parts.push(`<p>${escapeMarkup(entry.summary)}</p>`);
    for (const paragraph of entry.abstract.split(/\n\s*\n/u).filter((p) => p.trim())) {
      parts.push(`<p lang="en">${escapeMarkup(paragraph.trim())}</p>`);
    }
  }
  for (const link of entry.links) {
    if (/^https?:\/\//u.test(link)) parts.push(`<p><a href="${escapeMarkup(link)}">${escapeMarkup(link)}</a></p>`);
  }
  // Only images present beside the issue are published; a name the editor
  // wrote for a missing file would be a broken image in every reader.
  for (const name of new Set(entry.images)) {
    if (issue.imageFiles.includes(name)) parts.push(`<p><img src="${escapeMarkup(imageUrl(config, issue.date, name))}" alt=""></p>`);
  }
}

/**
 * A Markdown body with its relative links and images resolved against the
 * issue's web page, where its images are published (`issues/YYYY-MM-DD/`).
 */
function renderMarkdown(body: string, base: string): string {
  const env = {};
  const tokens = markdown.parse(body, env);
  resolveUrls(tokens, base);
  return markdown.renderer.render(tokens, markdown.options, env).trimEnd();
}

function resolveUrls(tokens: Token[], base: string): void {
  for (const token of tokens) {
    for (const name of ["href", "src"]) {
      const value = token.attrGet(name);
      if (value !== null && URL.canParse(String(value), base)) token.attrSet(name, new URL(String(value), base).href);
    }
    if (token.children) resolveUrls(token.children, base);
  }
}
