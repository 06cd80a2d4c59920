import type { FeedDocument } from "./feed-document.js";
import { dropXmlForbidden } from "./xml-text.js";

/**
 * JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written here because
 * `feed` 6 writes only version 1.0. Dates are RFC 3339 with the site's
 * offset; characters XML forbids are dropped here too, so every format shows
 * the same text. The document without its final newline (the feed file adds it).
 */
export function renderJsonFeed(doc: FeedDocument): string {
  if (!doc.urls.json) throw new Error(`${doc.paths.atom} has no JSON version`);
  const feed = {
    version: "https://jsonfeed.org/version/1.1",
    title: doc.title,
    home_page_url: doc.home,
    feed_url: doc.urls.json,
    description: doc.description,
    ...(doc.icon ? { icon: doc.icon, favicon: doc.icon } : {}),
    authors: [{ name: doc.author }],
    language: doc.language,
    ...(doc.hub ? { hubs: [{ type: "WebSub", url: doc.hub }] } : {}),
    // JSON Feed has no field for a feed's other formats; an extension
    // (spec: "Extensions", keys starting with `_`) carries them.
    _letterpress: {
      alternates: [
        ...(doc.urls.rss ? [{ type: "application/rss+xml", url: doc.urls.rss }] : []),
        { type: "application/atom+xml", url: doc.urls.atom },
      ],
    },
    items: doc.items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      summary: item.summary,
      content_html: item.contentHtml,
      date_published: item.published.iso,
      tags: item.categories.map((c) => c.term),
    })),
  };
  return JSON.stringify(feed, (_, value: unknown) => (typeof value === "string" ? dropXmlForbidden(value) : value), 2);
}
