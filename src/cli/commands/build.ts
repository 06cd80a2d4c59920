import { relative, resolve } from "node:path";
import { buildSite } from "../../build/build.js";
import type { Config } from "../../config/schema.js";
import { formatDiagnostic } from "../../errors.js";
import { MAIN_FEED_PATHS } from "../../render/feed-document.js";
import type { Output } from "../output.js";
import { plural } from "./check.js";

export interface BuildCommandOptions {
  issues: string;
  out: string;
  config: Config;
}

/**
 * `letterpress build`: reads every issue and writes every output into `out/`.
 * Warnings are printed and the build goes on; errors stop it before anything
 * under `out/` changes (buildSite throws an InputError that main prints).
 */
export async function runBuild(options: BuildCommandOptions, out: Output): Promise<string[]> {
  const result = await buildSite({ issuesDir: options.issues, outDir: options.out, config: options.config, out });
  for (const warning of result.warnings) out.warn(formatDiagnostic(warning));
  const shown = relative(process.cwd(), resolve(options.out)) || ".";
  const unchanged = result.issueCount - result.rendered.length;
  out.info(
    `built ${plural(result.issueCount, "issue")} into ${shown}/: rendered ${plural(result.rendered.length, "issue")}${unchanged > 0 ? ` (${unchanged} unchanged)` : ""}, wrote ${plural(result.files.length, "file")}`,
  );
  if (result.files.includes(MAIN_FEED_PATHS.rss)) {
    out.info(`feeds: ${[MAIN_FEED_PATHS.rss, MAIN_FEED_PATHS.atom, MAIN_FEED_PATHS.json].map((p) => `${shown}/${p}`).join(", ")}`);
    const categories = result.files.filter((f) => f.startsWith("categories/") && f.endsWith("/atom.xml")).length;
    if (categories > 0) out.info(`category feeds: ${shown}/categories/<tag>/ (${plural(categories, "category", "categories")})`);
    const months = result.files.filter((f) => f.startsWith("feed-archive/")).length;
    if (months > 0) out.info(`feed archive (RFC 5005): ${shown}/feed-archive/ (${plural(months, "month")})`);
  }
  return result.files;
}
