import type { Config } from "../config/schema.js";
import { requireSiteUrl } from "../config/load.js";

/** An absolute URL under the site, from a path relative to `out/`. */
export function siteUrl(config: Config, path = ""): string {
  return new URL(path.replace(/^\/+/u, ""), requireSiteUrl(config)).href;
}

/** Where an issue's web version lives: `issues/YYYY-MM-DD/`. */
export function issuePath(date: string): string {
  return `issues/${date}/`;
}

export function issueUrl(config: Config, date: string): string {
  return siteUrl(config, issuePath(date));
}

/** An image beside an issue, published with its web version. */
export function imageUrl(config: Config, date: string, name: string): string {
  return siteUrl(config, `${issuePath(date)}${encodeURIComponent(name)}`);
}

/** Categories appear in paths in lower case: `categories/lg/`. */
export function categoryPath(tag: string): string {
  return `categories/${tag.toLowerCase()}/`;
}
