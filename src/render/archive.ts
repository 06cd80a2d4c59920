import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { html, jsonForScript, trustedHtml, type Html } from "./html.js";
import { categoryFeeds, issueTitle, siteFeeds, viewIssue, type EntryView, type IssueView } from "./issue-view.js";
import { textPieces, type OutputFile } from "./output-file.js";
import { categoryPath, siteUrl } from "./urls.js";
import { byPeriod, catalogOf, contentKeys, renderUnits, type CatalogedIssue, type IssueCatalog, type SiteUnit } from "./site-unit.js";
import { renderPage } from "./web-page.js";

/**
 * The archive: `index.html` (every issue, newest first, by year and month,
 * with its starred titles, and a search box), and a category's entries
 * across issues, a page per year: `categories/<tag>/index.html` for its
 * newest year, `categories/<tag>/YYYY.html` for the others. Links between
 * pages are relative and name `index.html`, so the archive also works
 * opened from disk. The search box reads `search/YYYY.js`, one script per
 * year loaded when the reader first searches: scripts load from disk too,
 * where `fetch` would need a server, and index.html stays small.
 *
 * Each issue's part of these pages (`ArchiveListing`) is rendered from the
 * issue alone, and the pages are put together from the parts: the build
 * keeps each issue's listing between builds, so a new issue does not mean
 * reading and rendering every old one again; and a page is keyed by the
 * issues it shows (`SiteUnit`), so it only changes with them.
 */
export function renderArchive(issues: readonly Issue[], config: Config): OutputFile[] {
  return [...renderUnits(archiveUnits(catalogOf(issues, config), config))];
}

/** What the archive shows of one issue, as HTML fragments (plain data, kept by the build). */
export interface ArchiveListing {
  summary: ArchiveSummary;
  details: ArchiveDetails;
}

/** What every archive build needs of an issue: index.html lists every issue. */
export interface ArchiveSummary {
  /** The issue's `<li>` on `index.html`. */
  item: string;
  /** The categories of its entries, in the order they first appear, with how many entries and the name its legend gives. */
  categories: { tag: string; entries: number; name?: string }[];
}

/** What only the pages of the issue's own year need. */
export interface ArchiveDetails {
  /** What the search box matches. */
  search: string;
  /** Each categorised entry's `<li>` on its category's page, in the editor's order. */
  categoryItems: { tag: string; item: string }[];
}

export function archiveListing(issue: Issue, config: Config): ArchiveListing {
  const view = viewIssue(issue, config);
  const categorised = [...view.entries, ...view.extras].flatMap((entry) => (entry.category ? [{ entry, category: entry.category }] : []));
  const categories = new Map<string, ArchiveSummary["categories"][number]>();
  for (const { category } of categorised) {
    const known = categories.get(category.tag);
    if (known) known.entries += 1;
    else categories.set(category.tag, { tag: category.tag, entries: 1, ...(category.name ? { name: category.name } : {}) });
  }
  return {
    summary: { item: renderIssueItem(issue, view).value, categories: [...categories.values()] },
    details: {
      search: searchText(issue, config),
      categoryItems: categorised.map(({ entry, category }) => ({ tag: category.tag, item: renderCategoryItem(issue, entry).value })),
    },
  };
}

/**
 * The archive's pages as units: `index.html` changes with any issue; a
 * year's search script and category pages only with that year's issues
 * (and a category's pages with the years it spans, which they link).
 */
export function archiveUnits(catalog: IssueCatalog, config: Config): SiteUnit[] {
  const years = byPeriod(catalog.issues, "year");
  const categories = collectCategories(catalog.issues);
  const units: SiteUnit[] = [
    { id: "archive:index", inputs: contentKeys(catalog.issues), render: () => [renderIndex(catalog.issues, [...years.keys()], categories, config)] },
  ];
  for (const [year, inYear] of years) {
    units.push({ id: `archive:search:${year}`, inputs: contentKeys(inYear), render: () => [renderSearchScript(year, inYear, catalog)] });
  }
  for (const [tag, { name, years: tagYears }] of categories) {
    for (const year of tagYears) {
      const inYear = years.get(year)!;
      units.push({
        id: `archive:category:${tag}:${year}`,
        inputs: { issues: contentKeys(inYear), years: tagYears, name: name ?? null },
        render: () => [renderCategoryPage(tag, name, year, tagYears, inYear, catalog, config)],
      });
    }
  }
  return units;
}

function renderIndex(issues: readonly CatalogedIssue[], years: readonly string[], categories: Categories, config: Config): OutputFile {
  const newestFirst = [...issues].reverse();
  const byYear = byPeriod(newestFirst, "year");

  const body = html`<main>
<header>
<h1>${config.site.title}</h1>
${config.site.description ? html`<p>${config.site.description}</p>` : ""}
<p class="muted">订阅 Feeds: ${siteFeeds(config).map((f, i) => html`${i > 0 ? " · " : ""}<a href="${f.url}">${f.title}</a>`)}</p>
${categories.size > 0 ? html`<p class="muted">分类 Categories: ${[...categories].map(([tag, c]) => html`<a class="badge" href="${categoryPath(tag)}index.html" title="${c.name ?? tag}">${tag}</a> `)}</p>` : ""}
<p><label for="search" class="muted">搜索 Search</label><br><input id="search" type="search" autocomplete="off" placeholder="标题、作者、机构… title, author, affiliation…"></p>
<p id="search-status" class="muted" hidden></p>
</header>
${[...byYear].map(
  ([year, inYear]) => html`<section class="year" data-year="${year}">
<h2>${year}</h2>
${[...byPeriod(inYear, "month")].map(
  ([month, inMonth]) => html`<section class="month">
<h3>${year}年${Number(month.slice(5))}月</h3>
<ul class="issues">
${trustedHtml(inMonth.map((issue) => issue.summary.item).join(""))}</ul>
</section>
`,
)}</section>
`,
)}</main>`;

  const tail = html`<script type="application/json" id="search-years">${trustedHtml(jsonForScript(years))}</script>
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

/** `search/YYYY.js`: the year's search texts, handed to the index page's script. */
function searchScriptPath(year: string): string {
  return `search/${year}.js`;
}

function renderSearchScript(year: string, issues: readonly CatalogedIssue[], catalog: IssueCatalog): OutputFile {
  const entries = [...issues].reverse().map((issue) => ({ date: issue.date, text: catalog.details(issue.date).search }));
  // The array written an entry at a time, as JSON.stringify writes it whole: a year's texts are a megabyte, never one string.
  const pieces = entries.map((entry, i) => `${i === 0 ? "" : ","}${jsonForScript(entry)}`);
  return { path: searchScriptPath(year), contents: textPieces("letterpressSearch([", ...pieces, "]);\n") };
}

function renderIssueItem(issue: Issue, view: IssueView): Html {
  const starred = [...view.entries, ...view.extras].filter((e) => e.starred);
  return html`<li data-date="${issue.date}"><a href="issues/${issue.date}/index.html"><time datetime="${issue.date}">${issue.date}</time>${issue.title ? html` · ${view.title}` : ""}</a>
${starred.length > 0 ? html`<ul class="starred">${starred.map((e) => html`<li><span class="star">${e.starMarks}</span> <a href="issues/${issue.date}/index.html#${e.anchor}">${e.title}</a></li>`)}</ul>` : ""}
</li>
`;
}

function renderCategoryItem(issue: Issue, entry: EntryView): Html {
  return html`<li>${entry.starred ? html`<span class="star">${entry.starMarks}</span> ` : ""}<a href="../../issues/${issue.date}/index.html#${entry.anchor}">${entry.title}</a>
${entry.chineseTitle ? html`<br>${entry.chineseTitle}` : ""}
<br><span class="muted"><time datetime="${issue.date}">${issue.date}</time>${entry.authors ? html` · ${entry.authors}` : ""}</span></li>
`;
}

/** A category's page for one year: its newest year is the category's `index.html`. */
function categoryPagePath(tag: string, year: string, years: readonly string[]): string {
  return `${categoryPath(tag)}${year === years.at(-1) ? "index" : year}.html`;
}

function renderCategoryPage(
  tag: string,
  name: string | undefined,
  year: string,
  years: readonly string[],
  issues: readonly CatalogedIssue[],
  catalog: IssueCatalog,
  config: Config,
): OutputFile {
  const items = [...issues].reverse().flatMap((issue) => (issue.summary.categories.some((c) => c.tag === tag) ? catalog.details(issue.date).categoryItems : []));
  const title = name ? `${tag} · ${name}` : tag;
  const feeds = categoryFeeds(config, tag);
  const page = (y: string) => categoryPagePath(tag, y, years).slice(categoryPath(tag).length);
  const body = html`<main>
<header>
<p class="muted"><a href="../../index.html">${config.site.title}</a></p>
<h1><span class="badge">${tag}</span> ${name ?? ""}</h1>
<p class="muted">订阅 Feeds: ${feeds.map((f, i) => html`${i > 0 ? " · " : ""}<a href="${f.url}">${f.title}</a>`)}</p>
<p class="muted">年份 Years: ${[...years].reverse().map((y) => (y === year ? html`<strong>${y}</strong> ` : html`<a href="${page(y)}">${y}</a> `))}</p>
</header>
<h2>${year}</h2>
<ul class="entries">
${trustedHtml(items.filter((i) => i.tag === tag).map((i) => i.item).join(""))}</ul>
</main>`;
  const path = categoryPagePath(tag, year, years);
  return {
    path,
    contents: renderPage({
      language: config.site.language,
      title: `${title} · ${year} · ${config.site.title}`,
      description: `${config.site.title}: ${title}, ${year}`,
      url: siteUrl(config, path.endsWith("/index.html") ? categoryPath(tag) : path),
      feeds: [...feeds, ...siteFeeds(config)],
      ogType: "website",
      siteTitle: config.site.title,
      body,
    }),
  };
}

/** Every tag used by an entry: the name the oldest issue's legend that names it gives it, and the years it occurs in, oldest first. */
type Categories = Map<string, { name?: string; years: string[] }>;

function collectCategories(issues: readonly CatalogedIssue[]): Categories {
  const found: Categories = new Map();
  for (const issue of issues) {
    const year = issue.date.slice(0, 4);
    for (const { tag, name } of issue.summary.categories) {
      const known = found.get(tag) ?? { years: [] };
      if (!known.name && name) known.name = name;
      if (known.years.at(-1) !== year) known.years.push(year);
      found.set(tag, known);
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


/**
 * Filters the archive list as the reader types: an issue stays if every
 * word of the query is in its index text; empty months and years hide.
 * The texts come from one script per year (`search/YYYY.js`), added to
 * the page the first time the reader focuses the box or types.
 */
const SEARCH_SCRIPT = `
(function () {
  var years = JSON.parse(document.getElementById("search-years").textContent);
  var text = {};
  var waiting = years.length;
  var requested = false;
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  window.letterpressSearch = function (items) {
    items.forEach(function (item) { text[item.date] = item.text; });
    waiting--;
    if (waiting === 0) apply();
  };
  function request() {
    if (requested) return;
    requested = true;
    years.forEach(function (year) {
      var script = document.createElement("script");
      script.src = "search/" + year + ".js";
      script.onerror = function () { status.hidden = false; status.textContent = "search/" + year + ".js could not be loaded"; };
      document.head.appendChild(script);
    });
  }
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    if (words.length > 0 && waiting > 0) {
      status.hidden = false;
      status.textContent = "…";
      return;
    }
    var shown = 0;
    var all = document.querySelectorAll("li[data-date]");
    all.forEach(function (li) {
      var haystack = text[li.getAttribute("data-date")] || "";
      var match = words.every(function (w) { return haystack.indexOf(w) >= 0; });
      li.hidden = !match;
      if (match) shown++;
    });
    document.querySelectorAll("section.month, section.year").forEach(function (section) {
      section.hidden = !section.querySelector("li[data-date]:not([hidden])");
    });
    status.hidden = words.length === 0;
    status.textContent = shown + " / " + all.length;
  }
  input.addEventListener("focus", request);
  input.addEventListener("input", function () { request(); apply(); });
})();
`;
