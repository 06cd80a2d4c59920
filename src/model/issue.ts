/**
 * The one typed model in the middle of the pipeline. Parsers produce it,
 * renderers consume it; nothing here knows about files, XML, MJML or SMTP.
 */

/** Where something came from, so a later check can still point at the line. */
export interface SourceRef {
  file: string;
  /** 1-based; absent when the problem is about the whole file. */
  line?: number;
}

/** A category code of the legend, e.g. `LG` named `机器学习`. */
export interface Category {
  tag: string;
  name: string;
}

export type DigestFormat = "text" | "markdown";

export interface Entry {
  /**
   * `numbered`: the issue's main list; `extra`: the shorter entries after the
   * section heading; `note`: an untagged entry, such as an editor's note.
   */
  kind: "numbered" | "extra" | "note";
  /** The editor's number (`1、`); absent for extra and Markdown entries without one. */
  number?: number;
  /** Category tag as written (`LG`); absent for an untagged entry (an editor's note). */
  category?: string;
  /** 0, 1 or 2: a starred entry deserves attention. */
  stars: number;
  /** The English title. */
  title: string;
  /** The Chinese title, without the closing `。`. */
  chineseTitle: string;
  authors: string[];
  affiliations: string[];
  /** The Chinese summary (after the Chinese title), plain text. */
  summary: string;
  /** The English abstract, plain text; paragraphs separated by a blank line. */
  abstract: string;
  /** Absolute URLs; the first is the entry's link. */
  links: string[];
  /** Image file names as written, relative to the issue's image folder. */
  images: string[];
  /**
   * The entry's body as the editor wrote it in Markdown (Markdown digests only),
   * so renderers can keep lists, emphasis and inline links.
   */
  bodyMarkdown?: string;
  source: SourceRef;
}

export interface Issue {
  /** `YYYY-MM-DD`, the issue's date in the site's time zone. */
  date: string;
  /** The optional `-slug` after the date in the file name. */
  slug?: string;
  /** The issue's own title, if it has one (Markdown front matter). */
  title?: string;
  /** A summary written by the editor, if any (Markdown front matter). */
  summary?: string;
  /** Free tags from Markdown front matter. */
  tags: string[];
  /** The category legend, in the order the editor wrote it. */
  legend: Category[];
  /** What a star means, as the legend says it (`*表示值得重点关注`). */
  starNote?: string;
  entries: Entry[];
  /** The heading of the extra section (`其他几篇值得关注的论文:`), if any. */
  extrasHeading?: string;
  extras: Entry[];
  /** Image files present in `issues/YYYY-MM-DD/`, by name. */
  imageFiles: string[];
  source: { file: string; format: DigestFormat };
}

/** Every entry of an issue, numbered first, then the extras. */
export function allEntries(issue: Issue): Entry[] {
  return [...issue.entries, ...issue.extras];
}

/** The name of a category in the issue's legend, if the legend names it. */
export function categoryName(issue: Issue, tag: string): string | undefined {
  return issue.legend.find((c) => c.tag === tag)?.name;
}
