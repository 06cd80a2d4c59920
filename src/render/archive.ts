import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { html, jsonForScript, trustedHtml, type Html } from "./html.js";
import { categoryFeeds, issueTitle, siteFeeds, viewIssue, type EntryView, type IssueView } from "./issue-view.js";
import type { OutputFile } from "./output-file.js";
import { categoryPath, siteUrl } from "./urls.js";
import { renderPage } from "./web-page.js";

/**
 * The archive: `index.html` (every issue, newest first, by year and month,
 * with its starred titles, and a search box), and `categories/<tag>/index.html`
 * (a category's entries across issues). Links between pages are relative and
 * name `index.html`, so the archive also works opened from disk; the search
 * index is JSON inside the page, so the search box needs no server either.
 */
export function renderArchive(issues: readonly Issue[], config: Config): OutputFile[] {
  // Each issue's view is made once: the index, the category pages and the category list all read it.
  const views = new Map(issues.map((issue) => [issue, viewIssue(issue, config)]));
  return [renderIndex(issues, views, config), ...renderCategoryPages(issues, views, config)];
}

type IssueViews = ReadonlyMap<Issue, IssueView>;

interface CategoryEntry {
  issue: Issue;
  entry: EntryView;
}

function renderIndex(issues: readonly Issue[], views: IssueViews, config: Config): OutputFile {
  const newestFirst = [...issues].reverse();
  const years = groupBy(newestFirst, (i) => i.date.slice(0, 4));
  const categories = collectCategories(views);
  const searchIndex = newestFirst.map((issue) => ({ date: issue.date, text: searchText(issue, config) }));

  const body = html`<main>
<header>
<h1>${config.site.title}</h1>
${config.site.description ? html`<p>${config.site.description}</p>` : ""}
<p class="muted">订阅 Feeds: ${siteFeeds(config).map((f, i) => html`${i > 0 ? " · " : ""}<a href="${f.url}">${f.title}</a>`)}</p>
${categories.size > 0 ? html`<p class="muted">分类 Categories: ${[...categories].map(([tag, c]) => html`<a class="badge" href="${categoryPath(tag)}index.html" title="${c.name ?? tag}">${tag}</a> `)}</p>` : ""}
<p><label for="search" class="muted">搜索 Search</label><br><input id="search" type="search" autocomplete="off" placeholder="标题、作者、机构… title, author, affiliation…"></p>
<p id="search-status" class="muted" hidden></p>
</header>
${[...years].map(
  ([year, inYear]) => html`<section class="year" data-year="${year}">
<h2>${year}</h2>
${[...groupBy(inYear, (i) => i.date.slice(0, 7))].map(
  ([month, inMonth]) => html`<section class="month">
<h3>${year}年${Number(month.slice(5))}月</h3>
<ul class="issues">
${inMonth.map((issue) => renderIssueItem(issue, views.get(issue)!))}</ul>
</section>
`,
)}</section>
`,
)}</main>`;

  const tail = html`<script type="application/json" id="search-index">${trustedHtml(jsonForScript(searchIndex))}</script>
<script>${trustedHtml(SEARCH_SCRIPT)}</script>`;
  return {
    path: "index.html",
    contents: renderPage({
      language: config.site.language,
      title: config.site.title,
      description: config.site.description,
      url: siteUrl(config),
      feeds: siteFeeds(config),
      ogType: "website",
      siteTitle: config.site.title,
      body,
      tail,
    }),
  };
}

function renderIssueItem(issue: Issue, view: IssueView): Html {
  const starred = [...view.entries, ...view.extras].filter((e) => e.starred);
  return html`<li data-date="${issue.date}"><a href="issues/${issue.date}/index.html"><time datetime="${issue.date}">${issue.date}</time>${issue.title ? html` · ${view.title}` : ""}</a>
${starred.length > 0 ? html`<ul class="starred">${starred.map((e) => html`<li><span class="star">${e.starMarks}</span> <a href="issues/${issue.date}/index.html#${e.anchor}">${e.title}</a></li>`)}</ul>` : ""}
</li>
`;
}

function renderCategoryPages(issues: readonly Issue[], views: IssueViews, config: Config): OutputFile[] {
  const byTag = new Map<string, CategoryEntry[]>();
  for (const issue of [...issues].reverse()) {
    const view = views.get(issue)!;
    for (const entry of [...view.entries, ...view.extras]) {
      if (!entry.category) continue;
      const tag = entry.category.tag;
      const list = byTag.get(tag);
      if (list) list.push({ issue, entry });
      else byTag.set(tag, [{ issue, entry }]);
    }
  }
  const categories = collectCategories(views);
  return [...byTag].map(([tag, entries]) => {
    const name = categories.get(tag)?.name;
    const title = name ? `${tag} · ${name}` : tag;
    const feeds = categoryFeeds(config, tag);
    const body = html`<main>
<header>
<p class="muted"><a href="../../index.html">${config.site.title}</a></p>
<h1><span class="badge">${tag}</span> ${name ?? ""}</h1>
<p class="muted">订阅 Feeds: ${feeds.map((f, i) => html`${i > 0 ? " · " : ""}<a href="${f.url}">${f.title}</a>`)}</p>
</header>
<ul class="entries">
${entries.map(
  ({ issue, entry }) => html`<li>${entry.starred ? html`<span class="star">${entry.starMarks}</span> ` : ""}<a href="../../issues/${issue.date}/index.html#${entry.anchor}">${entry.title}</a>
${entry.chineseTitle ? html`<br>${entry.chineseTitle}` : ""}
<br><span class="muted"><time datetime="${issue.date}">${issue.date}</time>${entry.authors ? html` · ${entry.authors}` : ""}</span></li>
`,
)}</ul>
</main>`;
    return {
      path: `${categoryPath(tag)}index.html`,
      contents: renderPage({
        language: config.site.language,
        title: `${title} · ${config.site.title}`,
        description: `${config.site.title}: ${title}`,
        url: siteUrl(config, categoryPath(tag)),
        feeds: [...feeds, ...siteFeeds(config)],
        ogType: "website",
        siteTitle: config.site.title,
        body,
      }),
    };
  });
}

/** Every tag used by an entry, with the name some issue's legend gives it. */
function collectCategories(views: IssueViews): Map<string, { name?: string }> {
  const found = new Map<string, { name?: string }>();
  for (const view of views.values()) {
    for (const entry of [...view.entries, ...view.extras]) {
      if (!entry.category) continue;
      const known = found.get(entry.category.tag);
      if (!known?.name) found.set(entry.category.tag, entry.category.name ? { name: entry.category.name } : {});
    }
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

/** What the search box matches: titles, summaries' titles, authors, affiliations, tags; lower-cased. */
function searchText(issue: Issue, config: Config): string {
  const parts = [issueTitle(issue, config), issue.summary ?? "", ...issue.tags];
  for (const e of [...issue.entries, ...issue.extras]) parts.push(e.category ?? "", e.title, e.chineseTitle, e.authors.join(" "), e.affiliations.join(" "));
  return parts.filter(Boolean).join(" \u2022 ").toLowerCase();
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/**
 * Filters the archive list as the reader types: an issue stays if every
 * word of the query is in its index text; empty months and years hide.
 */
const SEARCH_SCRIPT = `
(function () {
  var index = JSON.parse(document.getElementById("search-index").textContent);
  var text = {};
  index.forEach(function (item) { text[item.date] = item.text; });
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    document.querySelectorAll("li[data-date]").forEach(function (li) {
      var haystack = text[li.getAttribute("data-date")] || "";
      var match = words.every(function (w) { return haystack.indexOf(w) >= 0; });
      li.hidden = !match;
      if (match) shown++;
    });
    document.querySelectorAll("section.month, section.year").forEach(function (section) {
      section.hidden = !section.querySelector("li[data-date]:not([hidden])");
    });
    status.hidden = words.length === 0;
    status.textContent = shown + " / " + index.length;
  }
  input.addEventListener("input", apply);
})();
`;
