import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { compareDates } from "../model/calendar.js";
import type { Issue } from "../model/issue.js";
import { InputError, type Diagnostic } from "../errors.js";
import { archiveUnits } from "../render/archive.js";
import { forgetCompiledTemplates, readTemplateSources } from "../render/email.js";
import { feedUnits } from "../render/feeds.js";
import type { OutputFile } from "../render/output-file.js";
import { byPeriod, contentKeys, type IssueCatalog, type SiteUnit } from "../render/site-unit.js";
import { issuePath } from "../render/urls.js";
import type { Output } from "../output.js";
import { createProgress } from "../progress.js";
import { encodeMonthDetails, loadCatalog, monthDetails, monthDetailsPath, StaleRecordError } from "./catalog.js";
import { IssuesSnapshot } from "./fingerprint.js";
import { issuePlanner, manifestFiles, OutputListing, planBuild, planUnits, readManifest, recordedFiles, RENDERER_VERSION, siteKey, yearManifestPath, type BuildPlan, type Manifest, type ManifestUnit, type StoredManifest } from "./plan.js";
import { FeedArchiveAhead } from "./feed-archive-ahead.js";
import { RenderAhead } from "./render-ahead.js";
import { neighboursAt, renderIssue, renderIssues, startIssueWorker, type IssueJob } from "./render-issues.js";
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
  /** Dates of the issues some of whose files were made this time; the others were unchanged. */
  rendered: string[];
}

/** From this many issues to render, the build shows its progress: a large first build takes a while. */
const PROGRESS_FROM = 100;

/** The whole-site renderers: each makes its output as units the build can skip when their inputs are unchanged. */
const siteRenderers: ((catalog: IssueCatalog, config: Config) => SiteUnit[])[] = [feedUnits, archiveUnits];

/**
 * Order: read the issues (those whose files the last build saw unchanged
 * only as far as their records; any error stops the build before a byte
 * reaches `out/`), plan which issues and which site units changed, render
 * those, each file staged as soon as it is made (`OutputStage`), then swap
 * them all into `out/`. In a large build a worker starts rendering the
 * issues already read while the rest are still being read (`RenderAhead`),
 * and each complete month of the feed archive is made as soon as it is read
 * (`FeedArchiveAhead`): a model parsed is let go of within about a month of
 * issues, not held to the end.
 */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const { config, outDir } = options;
  forgetCompiledTemplates();
  const templates = await readTemplateSources(config.templates);
  const snapshot = new IssuesSnapshot(options.issuesDir);
  const inputs = snapshot.fingerprint({ renderer: RENDERER_VERSION, templates, config });
  const stored = readManifest(outDir);
  const previous = stored?.manifest;
  const output = new OutputListing(outDir);
  if (previous?.inputs === inputs && output.allExist(recordedFiles(previous))) {
    for (const notice of Object.values(previous.issues).flatMap((i) => Object.values(i.outputs).flatMap((o) => o.notices))) options.out.warn(notice);
    return { issueCount: previous.issueCount ?? 0, files: [], warnings: previous.warnings ?? [], rendered: [] };
  }

  // A record found stale while rendering (a file changed without its size or
  // time changing) sends the build round again with that file read afresh.
  const distrusted = new Set<string>();
  for (;;) {
    try {
      return await buildChanges(options, { templates, snapshot, inputs, stored, output }, distrusted);
    } catch (err) {
      if (!(err instanceof StaleRecordError) || distrusted.has(err.date)) throw err;
      distrusted.add(err.date);
    }
  }
}

interface BuildState {
  templates: { file: string; text: string }[];
  snapshot: IssuesSnapshot;
  inputs: string;
  stored: StoredManifest | undefined;
  output: OutputListing;
}

/** The build when something changed: catalog, plan, render, stage, commit. */
async function buildChanges(options: BuildOptions, state: BuildState, distrusted: ReadonlySet<string>): Promise<BuildResult> {
  const { config, outDir } = options;
  // Opened before reading: the worker may start rendering into it while this thread still reads (`RenderAhead`).
  const stage = OutputStage.open(outDir);
  const previous = state.stored?.manifest;
  const models = new Map<string, Issue>();
  const ahead: WhileReading = {
    render: new RenderAhead(
      issuePlanner({ output: state.output, templates: state.templates, config, previous }),
      () => startIssueWorker(config, stage.dir),
      (issue, job) => renderIssue(issue, job, config, (file) => stage.add(file)),
    ),
    feedArchive: new FeedArchiveAhead({ config, site: siteKey(config), previous, output: state.output, stage, models }),
    models,
  };
  let staged: StagedBuild;
  try {
    staged = await stageChanges(options, state, distrusted, stage, ahead);
  } catch (err) {
    // The worker first: one still writing into the staging folder would leave some of it behind.
    await ahead.render.stop();
    stage.discard();
    throw err;
  }
  const { manifest, notices, plan } = staged;
  const current = new Set(recordedFiles(manifest));
  const years = new Set(Object.keys(manifest.issues).map((date) => yearManifestPath(date.slice(0, 4))));
  const stray = strayStateFiles(outDir, (path) => current.has(path) || years.has(path));
  const { written } = stage.commit({ remove: [...recordedFiles(previous).filter((f) => !current.has(f)), ...stray] });
  for (const notice of notices) options.out.warn(notice);
  return { issueCount: manifest.issueCount ?? 0, files: written, warnings: manifest.warnings ?? [], rendered: plan.make.map((m) => m.date) };
}

/** What a build staged: the manifest (staged last), the plan it followed, what to tell the editor once it is committed. */
interface StagedBuild {
  manifest: Manifest;
  plan: BuildPlan;
  notices: string[];
}

/** What the build does while it reads the issues, and the models the catalog keeps (and they let go of). */
interface WhileReading {
  render: RenderAhead;
  feedArchive: FeedArchiveAhead;
  models: Map<string, Issue>;
}

/** Reads the issues, plans, renders what changed and stages every file, the manifest last. */
async function stageChanges(options: BuildOptions, state: BuildState, distrusted: ReadonlySet<string>, stage: OutputStage, ahead: WhileReading): Promise<StagedBuild> {
  const { config, outDir } = options;
  const { templates, snapshot, inputs, stored, output } = state;
  const previous = stored?.manifest;
  const site = siteKey(config);
  const { catalog, records, reread, diagnostics } = await loadCatalog({
    snapshot,
    config,
    ...(previous?.siteKey === site ? { previous: { issues: previous.issues, outDir } } : {}),
    distrusted,
    out: options.out,
    models: ahead.models,
    onRecord: async (date, record, issue) => {
      await ahead.render.read(date, record, issue);
      ahead.feedArchive.read(date, record, issue !== undefined, ahead.render.worker !== undefined);
    },
  });
  if (diagnostics.some((d) => d.severity === "error")) {
    throw new InputError("the build stopped: fix the errors above (`letterpress check` lists them); out/ was left as it was", diagnostics);
  }
  const plan = planBuild({ output, records, templates, config, previous });
  const units = planUnits([...siteRenderers.flatMap((render) => render(catalog, config)), ...detailUnits(catalog)], site, output, previous);

  const warnings = diagnostics.filter((d) => d.severity === "warning");
  const manifest: Manifest = { version: RENDERER_VERSION, inputs, issueCount: records.size, warnings, siteKey: site, issues: {}, site: {} };
  // Said once the build has succeeded: a build that goes round again would say them twice.
  const notices: string[] = [];
  for (const [date, kept] of plan.keep) {
    manifest.issues[date] = { ...records.get(date)!, outputs: { ...kept } };
    notices.push(...Object.values(kept).flatMap((output) => output.notices));
  }
  const dates = [...records.keys()];
  const made = (date: string, name: string, files: string[], said: string[]) => {
    manifest.issues[date]!.outputs[name] = { key: plan.keys.get(date)![name]!, files, notices: said };
    notices.push(...said);
  };
  for (const { date, outputs } of plan.make) {
    if (!outputs.includes("images")) continue;
    // The images are published with the web page, so the email's absolute image URLs resolve.
    const images = records.get(date)!.images.map((image) => readImage(options.issuesDir, date, image.name));
    for (const image of images) stage.add(image);
    made(date, "images", images.map((image) => image.path), []);
  }
  const position = new Map(dates.map((date, i) => [date, i]));
  const jobs = plan.make
    .map(({ date, outputs }) => ({ date, renderers: outputs.filter((name) => name !== "images"), neighbours: neighboursAt(dates, position.get(date)!) }))
    .filter((job) => job.renderers.length > 0);
  const progress = jobs.length >= PROGRESS_FROM ? createProgress(options.out, jobs.length, "rendered") : undefined;
  // The site's units need only the catalog: they are made while a worker renders issues.
  const siteRecords = units.map(({ recorded }) => recorded);
  const siteWork = units.flatMap(({ unit, key, recorded }, i) =>
    recorded || madeAhead(unit.id, key, ahead.feedArchive.made, (made) => (siteRecords[i] = made))
      ? []
      : [
          () => {
            const files: string[] = [];
            for (const file of unit.render()) {
              stage.add(file);
              files.push(file.path);
            }
            siteRecords[i] = { key, files };
          },
        ],
  );
  const left = jobsLeft(jobs, ahead.render.taken);
  const renderedHere = ahead.render.renderedHere;
  const rendered = await renderIssues(
    left,
    (date) => ahead.render.model(date) ?? catalog.read(date),
    config,
    { dir: stage.dir, add: (file) => stage.add(file), adopt: (paths) => stage.adopt(paths) },
    progress && ((done) => progress.update(renderedHere.length + done)),
    siteWork,
    ahead.render.worker,
  );
  rendered.push(...renderedHere);
  rendered.sort(compareDates);
  progress?.finish();
  for (const { date, outputs } of rendered) for (const [name, output] of Object.entries(outputs)) made(date, name, output.files, output.notices);
  units.forEach(({ unit }, i) => (manifest.site[unit.id] = siteRecords[i]!));
  // Each issue's outputs in the plan's order, kept or made: the records of an incremental build are byte for byte a clean build's.
  for (const [date, keys] of plan.keys) {
    const outputs = manifest.issues[date]!.outputs;
    manifest.issues[date]!.outputs = Object.fromEntries(Object.keys(keys).flatMap((name) => (outputs[name] ? [[name, outputs[name]]] : [])));
  }
  // The manifest is staged last, so it is moved into place after every file it describes.
  for (const file of manifestFiles(manifest, stored, changedRecords(manifest, previous, reread, plan.make))) stage.add(file);
  return { manifest, plan, notices };
}

/**
 * The jobs not taken while the build read the issues (handed to the worker
 * or rendered). What was taken was planned by the same planner on the same
 * records, so it must be just what the plan asks of those issues.
 */
function jobsLeft(jobs: readonly IssueJob[], taken: ReadonlyMap<string, IssueJob>): IssueJob[] {
  const planned = new Map(jobs.map((job) => [job.date, JSON.stringify(job)]));
  for (const [date, job] of taken) {
    if (planned.get(date) !== JSON.stringify(job)) throw new Error(`internal error: ${date} was rendered ahead as ${JSON.stringify(job)}, but planned as ${planned.get(date) ?? "nothing"}`);
  }
  return jobs.filter((job) => !taken.has(job.date));
}

/** Whether the unit was made while reading (`FeedArchiveAhead`): then `use` gets its record. The same unit planned again must have the same key. */
function madeAhead(id: string, key: string, made: ReadonlyMap<string, ManifestUnit>, use: (made: ManifestUnit) => void): boolean {
  const unit = made.get(id);
  if (!unit) return false;
  if (unit.key !== key) throw new Error(`internal error: ${id} was made while reading with the key ${unit.key}, but planned with ${key}`);
  use(unit);
  return true;
}

/**
 * The dates whose records may differ from the last build's: read again,
 * with an output made again, or with warnings said differently (they name
 * the file as this build names it). The others are the last build's
 * records, kept as they were.
 */
function changedRecords(manifest: Manifest, previous: Manifest | undefined, reread: ReadonlySet<string>, made: BuildPlan["make"]): Set<string> {
  const changed = new Set([...reread, ...made.map((m) => m.date)]);
  for (const [date, issue] of Object.entries(manifest.issues)) {
    const earlier = previous?.issues[date];
    if (!earlier) changed.add(date);
    else if ((issue.warnings.length > 0 || earlier.warnings.length > 0) && JSON.stringify(issue.warnings) !== JSON.stringify(earlier.warnings)) changed.add(date);
  }
  return changed;
}

/** The folders of the build's own records, whose every file the manifest accounts for. */
const STATE_FOLDERS = [".letterpress/issues", ".letterpress/archive"];

/**
 * Files in the build's own records (`.letterpress/`) that this build does
 * not account for: a year with no issues left, or what an older layout
 * left there (a build that finds no manifest it can read knows nothing of
 * them).
 */
function strayStateFiles(outDir: string, accounted: (path: string) => boolean): string[] {
  return STATE_FOLDERS.flatMap((folder) => {
    let names: string[];
    try {
      names = readdirSync(join(outDir, folder));
    } catch {
      // No such folder yet: nothing stray in it.
      return [];
    }
    return names.map((name) => `${folder}/${name}`).filter((path) => !accounted(path));
  });
}

/** The archive details of each month, kept for the next build (`catalog.ts`): remade with the month's issues. */
function detailUnits(catalog: IssueCatalog): SiteUnit[] {
  return [...byPeriod(catalog.issues, "month")].map(([month, issues]) => ({
    id: `details:${month}`,
    inputs: contentKeys(issues),
    render: () => [{ path: monthDetailsPath(month), contents: encodeMonthDetails(monthDetails(catalog, issues)) }],
  }));
}

/** An image beside an issue, published with its web version so the email's absolute image URLs resolve. */
function readImage(issuesDir: string, date: string, name: string): OutputFile {
  return { path: `${issuePath(date)}${name}`, contents: new Uint8Array(readFileSync(join(issuesDir, date, name))) };
}
