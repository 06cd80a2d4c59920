import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import type { Diagnostic } from "../errors.js";
import type { Issue } from "../model/issue.js";
import type { OutputFile } from "../render/output-file.js";

/**
 * What changed since the last build. Each issue's outputs depend on its
 * file's bytes (the model is made from them alone, by a parser whose
 * changes bump RENDERER_VERSION), its images' bytes, the templates, the
 * configuration, its neighbours (the web page links to them) and the
 * renderers' version; a hash of all of these is kept beside the output in
 * `.letterpress/manifest.json`. An issue whose hash is unchanged and whose
 * files are all still there is not rendered again.
 */
export const MANIFEST_PATH = ".letterpress/manifest.json";

/** Bump when a renderer's output changes for the same input. */
export const RENDERER_VERSION = 2;

export interface Manifest {
  version: number;
  issues: Record<string, ManifestIssue>;
  /** Files of the whole-site renderers (archive, feeds), to remove those a later build no longer makes. */
  site: string[];
  /** The fingerprint of every input (see fingerprint.ts): unchanged, the next build does nothing. */
  inputs?: string;
  /** How many issues the build read, and its warnings, to report again when nothing changed. */
  issueCount?: number;
  warnings?: Diagnostic[];
}

export interface ManifestIssue {
  hash: string;
  files: string[];
  /** What the build said when it rendered the issue (shortened abstracts), said again when it is skipped. */
  notices: string[];
}

export interface BuildPlan {
  /** Issues to render, oldest first. */
  render: Issue[];
  /** Issues left as they are in `out/`, with what the last build recorded. */
  keep: { issue: Issue; recorded: ManifestIssue }[];
  hashes: Map<string, string>;
  /** Every file the last build recorded, to find those this build no longer makes. */
  previousFiles: string[];
}

export interface PlanInputs {
  outDir: string;
  issues: readonly Issue[];
  /** A hash of each issue's file, by date (`loadIssues`): the model is a function of it. */
  sourceHashes: ReadonlyMap<string, string>;
  /** Each issue's image files as the build copies them, by date. */
  images: ReadonlyMap<string, readonly OutputFile[]>;
  templates: readonly { file: string; text: string }[];
  config: Config;
  /** The last build's manifest, if any. */
  previous: Manifest | undefined;
}

export async function planBuild(inputs: PlanInputs): Promise<BuildPlan> {
  const { previous } = inputs;
  const shared = hashOf({ renderer: RENDERER_VERSION, templates: inputs.templates, config: inputs.config });
  const hashes = new Map<string, string>();
  const previousFiles = previous ? [...Object.values(previous.issues).flatMap((i) => i.files), ...previous.site] : [];
  const plan: BuildPlan = { render: [], keep: [], hashes, previousFiles };
  for (const [i, issue] of inputs.issues.entries()) {
    const images = (inputs.images.get(issue.date) ?? []).map((f) => ({ path: f.path, sha256: sha256(f.contents) }));
    const hash = hashOf({
      shared,
      source: inputs.sourceHashes.get(issue.date) ?? null,
      file: issue.source.file.split(/[\\/]/u).at(-1),
      images,
      previous: inputs.issues[i - 1]?.date ?? null,
      next: inputs.issues[i + 1]?.date ?? null,
    });
    hashes.set(issue.date, hash);
    const recorded = previous?.issues[issue.date];
    if (recorded && recorded.hash === hash && (await allExist(inputs.outDir, recorded.files))) plan.keep.push({ issue, recorded });
    else plan.render.push(issue);
  }
  return plan;
}

export function manifestFile(manifest: Manifest): OutputFile {
  const sorted: Manifest = {
    version: manifest.version,
    ...(manifest.inputs ? { inputs: manifest.inputs, issueCount: manifest.issueCount ?? 0, warnings: manifest.warnings ?? [] } : {}),
    issues: Object.fromEntries(Object.entries(manifest.issues).sort(([a], [b]) => a.localeCompare(b))),
    site: [...manifest.site].sort(),
  };
  return { path: MANIFEST_PATH, contents: `${JSON.stringify(sorted, null, 2)}\n` };
}

export async function readManifest(outDir: string): Promise<Manifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(outDir, MANIFEST_PATH), "utf8")) as Manifest;
    return parsed.version === RENDERER_VERSION && parsed.issues && typeof parsed.issues === "object" && Array.isArray(parsed.site) ? parsed : undefined;
  } catch {
    // No manifest (first build, or out/ deleted) or an unreadable one: render everything.
    return undefined;
  }
}

export async function allExist(outDir: string, files: readonly string[]): Promise<boolean> {
  // existsSync: a promise per file is a thread-pool round trip, and an archive has thousands.
  return files.every((file) => existsSync(resolve(outDir, file)));
}

function hashOf(value: unknown): string {
  return sha256(JSON.stringify(value));
}

function sha256(contents: string | Uint8Array): string {
  return createHash("sha256").update(contents).digest("hex");
}
