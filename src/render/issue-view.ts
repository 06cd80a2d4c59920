import type { Config } from "../config/schema.js";
import { categoryName, type Entry, type Issue } from "../model/issue.js";
import { categoryPath, imageUrl, issueUrl, siteUrl } from "./urls.js";

/**
 * What the email, its plain-text part and the web page show of an issue,
 * worked out once so the three say the same thing. Plain strings only:
 * each renderer escapes for its own format.
 */
export interface IssueView {
  date: string;
  title: string;
  /** The editor's summary (Markdown front matter), if any. */
  summary?: string;
  tags: string[];
  legend: { tag: string; name: string }[];
  starNote?: string;
  entries: EntryView[];
  extrasHeading: string;
  extras: EntryView[];
  webUrl: string;
  siteTitle: string;
  siteUrl: string;
  feeds: FeedLink[];
}

export interface FeedLink {
  title: string;
  url: string;
  type: string;
}

export interface EntryView {
  kind: Entry["kind"];
  /** `1`, or empty for an entry the editor did not number. */
  number: string;
  /** The anchor of the entry on the web page, `entry-3`. */
  anchor: string;
  category?: { tag: string; name?: string; label: string };
  stars: number;
  starred: boolean;
  /** `★` once per star. */
  starMarks: string;
  title: string;
  chineseTitle: string;
  authors: string;
  affiliations: string;
  summary: string;
  /** The English abstract, one string per paragraph. */
  abstractParagraphs: string[];
  /** True when the email left out the end of the abstract to stay under the size limit. */
  shortened: boolean;
  /** The entry on the web version, where the whole abstract is. */
  readOnUrl: string;
  /** The entry's link, if any (the first of its links). */
  link?: string;
  /** Links after the first. */
  moreLinks: string[];
  /** Images that exist beside the issue, by absolute URL; the others are left out. */
  images: { url: string; alt: string }[];
  bodyMarkdown?: string;
}

export const FEED_FILES: readonly { file: string; title: string; type: string }[] = [
  { file: "feed.xml", title: "RSS", type: "application/rss+xml" },
  { file: "atom.xml", title: "Atom", type: "application/atom+xml" },
  { file: "feed.json", title: "JSON Feed", type: "application/feed+json" },
];

/** The site's feeds, as `<link rel="alternate">` and the email footer list them. */
export function siteFeeds(config: Config): FeedLink[] {
  return FEED_FILES.map((f) => ({ title: f.title, url: siteUrl(config, f.file), type: f.type }));
}

export function categoryFeeds(config: Config, tag: string): FeedLink[] {
  return FEED_FILES.map((f) => ({ title: `${f.title} · ${tag}`, url: siteUrl(config, `${categoryPath(tag)}${f.file}`), type: f.type }));
}

/** The issue's title: the editor's, else the site's with the date. */
export function issueTitle(issue: Issue, config: Config): string {
  return oneLine(issue.title ?? `${config.site.title} · ${issue.date}`);
}

/**
 * The email and the web page of an issue are rendered one after the other,
 * each from the issue's view: the last view made is kept for the next to
 * ask (views are never modified). Only the last: a WeakMap of every
 * issue's view, as this was, kept every issue a build parsed alive through
 * the young generation's collections (V8 clears a WeakMap's entries only
 * in a full collection), so each was copied into the old generation.
 * Parsing and listing the bench archive's 3,650 issues, 137 MB were copied
 * there instead of 10, and the scavenges paused 704 ms instead of 175.
 */
let lastView: { issue: Issue; config: Config; view: IssueView } | undefined;

export function viewIssue(issue: Issue, config: Config): IssueView {
  if (lastView?.issue === issue && lastView.config === config) return lastView.view;
  const view = makeIssueView(issue, config);
  lastView = { issue, config, view };
  return view;
}

function makeIssueView(issue: Issue, config: Config): IssueView {
  const present = new Set(issue.imageFiles);
  const webUrl = issueUrl(config, issue.date);
  let index = 0;
  const view = (entry: Entry): EntryView => viewEntry(issue, config, entry, ++index, present, webUrl);
  return {
    date: issue.date,
    title: issueTitle(issue, config),
    ...(issue.summary ? { summary: issue.summary } : {}),
    tags: issue.tags,
    legend: issue.legend,
    ...(issue.starNote ? { starNote: issue.starNote } : {}),
    entries: issue.entries.map(view),
    extrasHeading: issue.extrasHeading ?? "其他几篇值得关注的论文",
    extras: issue.extras.map(view),
    webUrl,
    siteTitle: config.site.title,
    siteUrl: siteUrl(config),
    feeds: siteFeeds(config),
  };
}

function viewEntry(issue: Issue, config: Config, entry: Entry, index: number, present: ReadonlySet<string>, webUrl: string): EntryView {
  const name = entry.category ? categoryName(issue, entry.category) : undefined;
  const [link, ...moreLinks] = entry.links;
  return {
    kind: entry.kind,
    number: entry.number === undefined ? "" : String(entry.number),
    anchor: `entry-${index}`,
    ...(entry.category
      ? { category: { tag: entry.category, ...(name ? { name } : {}), label: name ? `${entry.category} · ${name}` : entry.category } }
      : {}),
    stars: entry.stars,
    starred: entry.stars > 0,
    starMarks: "★".repeat(entry.stars),
    title: entry.title,
    chineseTitle: entry.chineseTitle,
    authors: entry.authors.join(", "),
    affiliations: entry.affiliations.join(" & "),
    summary: entry.summary,
    abstractParagraphs: splitParagraphs(entry.abstract),
    shortened: false,
    readOnUrl: `${webUrl}#entry-${index}`,
    ...(link ? { link } : {}),
    moreLinks,
    // An entry may name one file several times (`image.png` four times); show each once.
    images: [...new Set(entry.images)].filter((name) => present.has(name)).map((name) => ({ url: imageUrl(config, issue.date, name), alt: name })),
    ...(entry.bodyMarkdown !== undefined ? { bodyMarkdown: entry.bodyMarkdown } : {}),
  };
}

export function splitParagraphs(text: string): string[] {
  // Most abstracts are one paragraph with single spaces: nothing to split or fold.
  if (!/\s\s|[^\S ]/.test(text) && text === text.trim()) return text === "" ? [] : [text];
  return text
    .split(/\n\s*\n/u)
    .map((p) => p.replace(/\s+/gu, " ").trim())
    .filter((p) => p.length > 0);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/gu, " ").trim();
}
