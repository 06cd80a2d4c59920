import { FONT_STACK, html, trustedHtml, type Html } from "./html.js";
import type { FeedLink } from "./issue-view.js";

/** The shell every web page shares: head, feeds as `<link rel="alternate">`, one stylesheet, dark mode. */
export interface PageShell {
  language: string;
  title: string;
  description: string;
  /** The page's absolute URL (canonical, `og:url`). */
  url: string;
  feeds: readonly FeedLink[];
  /** Open Graph type: `website`, or `article` for an issue. */
  ogType: "website" | "article";
  siteTitle: string;
  body: Html;
  /** Extra markup at the end of `<body>` (the archive's search script). */
  tail?: Html;
}

/** The page in pieces (`TextPieces`): written as they are, never joined. */
export function renderPage(page: PageShell): Html {
  return html`<!doctype html>
<html lang="${page.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title}</title>
<meta name="description" content="${page.description}">
<link rel="canonical" href="${page.url}">
<meta property="og:type" content="${page.ogType}">
<meta property="og:site_name" content="${page.siteTitle}">
<meta property="og:title" content="${page.title}">
<meta property="og:description" content="${page.description}">
<meta property="og:url" content="${page.url}">
${page.feeds.map((f) => html`<link rel="alternate" type="${f.type}" title="${f.title}" href="${f.url}">\n`)}<style>${PAGE_CSS}</style>
</head>
<body>
${page.body}
${page.tail}
</body>
</html>
`;
}

// Raw text: entities are not decoded inside <style>, so this string is inserted as it is.
const PAGE_CSS = trustedHtml(`
:root{color-scheme:light dark;--fg:#1f2328;--muted:#57606a;--bg:#ffffff;--page:#f3f4f6;--line:#e5e7eb;--link:#0b57d0;--badge-bg:#e8eefc;--badge:#1d4ed8;--star-bg:#fff1c2;--star:#8a5a00;--starred:#fffaeb;--accent:#f5a623}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--muted:#a2a9b1;--bg:#181b20;--page:#0f1115;--line:#2b3038;--link:#8ab4f8;--badge-bg:#1e2f55;--badge:#cfe0ff;--star-bg:#4a3800;--star:#ffe08a;--starred:#221d0e}}
*{box-sizing:border-box}
body{margin:0;background:var(--page);color:var(--fg);font-family:${FONT_STACK};font-size:16px;line-height:1.7;-webkit-text-size-adjust:100%}
main{max-width:680px;margin:0 auto;padding:16px 20px 32px;background:var(--bg);overflow-wrap:anywhere}
a{color:var(--link)}
h1{font-size:1.5rem;line-height:1.3;margin:.3em 0}
h2{font-size:1.1rem;line-height:1.4;margin:.2em 0}
h3{font-size:1rem;margin:.8em 0 .2em}
section.year>h2{font-size:1.3rem;margin-top:1em}
img{max-width:100%;height:auto}
.muted{color:var(--muted);font-size:.85rem}
.badge{display:inline-block;padding:0 .5em;border-radius:.6em;background:var(--badge-bg);color:var(--badge);font-weight:600;font-size:.8rem}
.star{display:inline-block;padding:0 .5em;border-radius:.6em;background:var(--star-bg);color:var(--star);font-weight:700;font-size:.8rem}
.entry{border-top:1px solid var(--line);padding:12px 8px;margin:0}
.entry.starred{border-left:4px solid var(--accent);background:var(--starred)}
.entry p{margin:.4em 0}
.zh-title{font-weight:600}
.abstract{font-size:.94rem}
.extras .entry{padding:8px 0}
nav.pager{display:flex;justify-content:space-between;gap:1em;border-top:1px solid var(--line);margin-top:16px;padding-top:12px}
ul.issues,ul.entries{list-style:none;padding:0}
ul.issues>li,ul.entries>li{margin:0 0 .8em}
ul.starred{margin:.2em 0 0 1em;padding:0;list-style:none;font-size:.9rem}
input[type=search]{width:100%;font:inherit;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
footer{margin-top:24px}
`);
