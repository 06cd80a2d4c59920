import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { InputError, type Diagnostic } from "../errors.js";
import type { Issue } from "../model/issue.js";
import { loadIssues } from "../parse/index.js";
import { renderArchive } from "../render/archive.js";
import { readTemplateSources } from "../render/email.js";
import { feedFiles } from "../render/feeds.js";
import type { OutputFile } from "../render/output-file.js";
import { issuePath } from "../render/urls.js";
import type { Output } from "../output.js";
import { fingerprintInputs } from "./fingerprint.js";
import { allExist, manifestFile, planBuild, readManifest, RENDERER_VERSION, type Manifest } from "./plan.js";
import { renderIssues } from "./render-issues.js";
import { OutputStage } from "./write.js";

export interface BuildOptions {
  issuesDir: string;
  outDir: string;
  config: Config;
  out: Output;
}

export interface BuildResult {
  /** Issues read; on a build with nothing to do, the count the last build recorded. */
  issueCount: number;
  files: string[];
  /** Warnings found while reading the issues; the build went ahead. */
  warnings: Diagnostic[];
  /** Dates of the issues rendered this time; the others were unchanged. */
  rendered: string[];
}

/** A renderer: issues and configuration in, files out (one at a time, if it likes); no I/O, no clock. Runs on every build. */
export type Renderer = (issues: readonly Issue[], config: Config) => Iterable<OutputFile> | Promise<Iterable<OutputFile>>;

const renderers: Renderer[] = [feedFiles, renderArchive];

/**
 * Order: parse and validate every issue (any error stops the build before a
 * byte is written), read each issue's images, plan which issues changed,
 * render the changed issues and every whole-site output, each file staged as
 * soon as it is made (`OutputStage`), then swap them all into `out/`.
 */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const templates = await readTemplateSources(options.config.templates);
  const inputs = fingerprintInputs(options.issuesDir, { renderer: RENDERER_VERSION, templates, config: options.config });
  const previous = await readManifest(options.outDir);
  if (previous?.inputs === inputs && (await allExist(options.outDir, [...Object.values(previous.issues).flatMap((i) => i.files), ...previous.site]))) {
    for (const notice of Object.values(previous.issues).flatMap((i) => i.notices)) options.out.warn(notice);
    return { issueCount: previous.issueCount ?? 0, files: [], warnings: previous.warnings ?? [], rendered: [] };
  }

  const { issues, diagnostics, sourceHashes } = await loadIssues(options.issuesDir);
  if (diagnostics.some((d) => d.severity === "error")) {
    throw new InputError("the build stopped: fix the errors above (`letterpress check` lists them); out/ was left as it was", diagnostics);
  }
  const images = await readIssueImages(options.issuesDir, issues);
  const plan = await planBuild({ outDir: options.outDir, issues, sourceHashes, images, templates, config: options.config, previous });

  const warnings = diagnostics.filter((d) => d.severity === "warning");
  const manifest: Manifest = { version: RENDERER_VERSION, inputs, issueCount: issues.length, warnings, issues: {}, site: [] };
  for (const { issue, recorded } of plan.keep) {
    manifest.issues[issue.date] = recorded;
    for (const notice of recorded.notices) options.out.warn(notice);
  }
  const stage = OutputStage.open(options.outDir);
  try {
    for (const image of plan.render.flatMap((issue) => images.get(issue.date) ?? [])) stage.add(image);
    const rendered = await renderIssues(plan.render, issues, options.config, { dir: stage.dir, add: (file) => stage.add(file), adopt: (paths) => stage.adopt(paths) });
    for (const { date, files, notices } of rendered) {
      for (const notice of notices) options.out.warn(notice);
      const own = [...(images.get(date) ?? []).map((f) => f.path), ...files];
      manifest.issues[date] = { hash: plan.hashes.get(date)!, files: own, notices };
    }
    for (const render of renderers) {
      for (const file of await render(issues, options.config)) {
        stage.add(file);
        manifest.site.push(file.path);
      }
    }
    stage.add(manifestFile(manifest));
  } catch (err) {
    stage.discard();
    throw err;
  }
  const made = new Set([...Object.values(manifest.issues).flatMap((i) => i.files), ...manifest.site]);
  const { written } = stage.commit({ remove: plan.previousFiles.filter((f) => !made.has(f)) });
  return {
    issueCount: issues.length,
    files: written,
    warnings,
    rendered: plan.render.map((i) => i.date),
  };
}

/** The images beside each issue, to publish with its web version so the email's absolute image URLs resolve. */
export async function readIssueImages(issuesDir: string, issues: readonly Issue[]): Promise<Map<string, OutputFile[]>> {
  const images = new Map<string, OutputFile[]>();
  for (const issue of issues) {
    images.set(
      issue.date,
      await Promise.all(issue.imageFiles.map(async (name) => ({ path: `${issuePath(issue.date)}${name}`, contents: new Uint8Array(await readFile(join(issuesDir, issue.date, name))) }))),
    );
  }
  return images;
}
