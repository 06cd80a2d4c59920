import type { Config } from "../config/schema.js";
import { InputError, type Diagnostic } from "../errors.js";
import type { Issue } from "../model/issue.js";
import { loadIssues } from "../parse/index.js";
import { renderFeeds } from "../render/feeds.js";
import type { OutputFile } from "../render/output-file.js";
import type { Output } from "../cli/output.js";
import { writeOutputs } from "./write.js";

export interface BuildOptions {
  issuesDir: string;
  outDir: string;
  config: Config;
  out: Output;
}

export interface BuildResult {
  issues: Issue[];
  files: string[];
  /** Warnings found while reading the issues; the build went ahead. */
  warnings: Diagnostic[];
}

/** A renderer: issues and configuration in, files out; no I/O, no clock. */
export type Renderer = (issues: readonly Issue[], config: Config) => OutputFile[] | Promise<OutputFile[]>;

const renderers: Renderer[] = [renderFeeds];

/**
 * Order: parse and validate every issue (any error stops the build before a
 * byte is written), render every output in memory, then hand the files to
 * `writeOutputs`, which swaps them into `out/`.
 */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const { issues, diagnostics } = await loadIssues(options.issuesDir);
  if (diagnostics.some((d) => d.severity === "error")) {
    throw new InputError("the build stopped: fix the errors above (`letterpress check` lists them); out/ was left as it was", diagnostics);
  }
  const files: OutputFile[] = [];
  for (const render of renderers) files.push(...(await render(issues, options.config)));
  await writeOutputs(options.outDir, files);
  return { issues, files: files.map((f) => f.path), warnings: diagnostics.filter((d) => d.severity === "warning") };
}
