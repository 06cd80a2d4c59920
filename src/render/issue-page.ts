import markdownIt, { type MarkdownIt } from "markdown-it";
import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { html, trustedHtml, type Html } from "./html.js";
import { categoryFeeds, viewIssue, type EntryView, type IssueView } from "./issue-view.js";
import type { OutputFile } from "./output-file.js";
import { issuePath } from "./urls.js";
import { renderPage } from "./web-page.js";

/** The dates of the issues before and after one, which its page links to. */
export interface Neighbours {
  previous?: string;
  next?: string;
}

/** An issue's neighbours, either of which may be missing (the first issue, the newest). */
export function neighbours(previous: string | undefined, next: string | undefined): Neighbours {
  return { ...(previous ? { previous } : {}), ...(next ? { next } : {}) };
}

/** The neighbours of the issue of `date` among `issues` (oldest first). */
export function neighboursIn(issues: readonly { date: string }[], date: string): Neighbours {
  const index = issues.findIndex((issue) => issue.date === date);
  return index < 0 ? {} : neighbours(issues[index - 1]?.date, issues[index + 1]?.date);
}

/**
 * The web version of an issue, `issues/YYYY-MM-DD/index.html`: the email's
 * content with every abstract in full, links to the previous and next
 * issues, and no personal unsubscribe link. Everything from the issue is
 * escaped; Markdown bodies go through markdown-it with `html: false`, so raw
 * HTML in a digest is shown as text.
 */
export function renderIssuePage(issue: Issue, neighbours: Neighbours, config: Config): OutputFile {
  const view = viewIssue(issue, config);
  const { previous, next } = neighbours;
  const tags = [...new Set([...issue.entries, ...issue.extras].flatMap((e) => (e.category ? [e.category] : [])))];
  const body = html`<main>
<header>
<p class="muted"><a href="../../index.html">${view.siteTitle}</a> · <time datetime="${view.date}">${view.date}</time></p>
<h1>${view.title}</h1>
${view.summary ? html`<p>${view.summary}</p>` : ""}
${view.tags.length > 0 ? html`<p class="muted">${view.tags.map((t) => html`#${t} `)}</p>` : ""}
${renderLegend(view)}
</header>
${view.entries.map((e) => renderEntry(e, view.webUrl))}
${view.extras.length > 0 ? html`<section class="extras">\n<h2>${view.extrasHeading}</h2>\n${view.extras.map((e) => renderEntry(e, view.webUrl))}</section>` : ""}
<nav class="pager">
<span>${previous ? html`<a rel="prev" href="../${previous}/index.html">← ${previous}</a>` : ""}</span>
<a href="../../index.html">往期 Archive</a>
<span>${next ? html`<a rel="next" href="../${next}/index.html">${next} →</a>` : ""}</span>
</nav>
<footer class="muted">订阅 Feeds: ${view.feeds.map((f, i) => html`${i > 0 ? " · " : ""}<a href="${f.url}">${f.title}</a>`)}</footer>
</main>`;

  return {
    path: `${issuePath(issue.date)}index.html`,
    contents: renderPage({
      language: config.site.language,
      title: view.title,
      description: describeIssue(view),
      url: view.webUrl,
      feeds: [...view.feeds, ...tags.flatMap((t) => categoryFeeds(config, t))],
      ogType: "article",
      siteTitle: view.siteTitle,
      body,
    }),
  };
}

/** Open Graph and meta description: the editor's summary, else the first entries' Chinese titles. */
export function describeIssue(view: IssueView): string {
  if (view.summary) return view.summary;
  const titles = [...view.entries, ...view.extras].map((e) => e.chineseTitle || e.title).filter(Boolean);
  const text = titles.slice(0, 3).join(" · ");
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function renderLegend(view: IssueView): Html {
  if (view.legend.length === 0 && !view.starNote) return html``;
  return html`<p class="muted">${view.legend.map((c) => html`<span class="badge">${c.tag}</span> ${c.name} `)}${view.starNote ? html`<span class="star">★</span> ${view.starNote}` : ""}</p>`;
}

function renderEntry(entry: EntryView, webUrl: string): Html {
  const head = [
    entry.number ? html`<b>${entry.number}.</b> ` : "",
    entry.category ? html`<span class="badge">${entry.category.label}</span> ` : "",
    entry.starred ? html`<span class="star">${entry.starMarks} 重点关注</span>` : "",
  ];
  // The parser keeps a Markdown entry's links and images out of `bodyMarkdown`, so they are shown the same way for both formats.
  const text =
    entry.bodyMarkdown !== undefined
      ? trustedHtml(markdown.render(entry.bodyMarkdown, { base: webUrl } satisfies MarkdownEnv))
      : html`${entry.summary ? html`<p>${entry.summary}</p>` : ""}
${entry.abstractParagraphs.map((p) => html`<p class="abstract" lang="en">${p}</p>\n`)}`;
  const body = html`${text}${entry.moreLinks.map((l) => html`<p><a href="${l}">${l}</a></p>\n`)}${entry.images.map((i) => html`<p><img src="${i.url}" alt="${i.alt}" loading="lazy"></p>\n`)}`;
  return html`<article id="${entry.anchor}" class="entry${entry.starred ? " starred" : ""}">
<p class="muted">${head}</p>
<h2>${entry.link ? html`<a href="${entry.link}">${entry.title}</a>` : entry.title}</h2>
${entry.chineseTitle ? html`<p class="zh-title">${entry.chineseTitle}</p>` : ""}
${entry.authors ? html`<p class="muted">${entry.authors}${entry.affiliations ? html`<br>${entry.affiliations}` : ""}</p>` : entry.affiliations ? html`<p class="muted">${entry.affiliations}</p>` : ""}
${body}
</article>
`;
}

/**
 * markdown-it with raw HTML off (CommonMark raw HTML would otherwise pass
 * through), and images written relative to the issue resolved against its
 * web version, where the build copies them.
 */
const markdown: MarkdownIt = markdownIt({ html: false, linkify: false, typographer: false });

/** What a page's Markdown is rendered with: one markdown-it for every page (making one took 80 µs), the page's address passed along. */
type MarkdownEnv = { base: string };

const defaultImage = markdown.renderer.rules.image!;
markdown.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const src = token.attrGet("src");
  if (src) token.attrSet("src", new URL(src, (env as MarkdownEnv).base).href);
  token.attrSet("loading", "lazy");
  return defaultImage(tokens, idx, options, env, self);
};
