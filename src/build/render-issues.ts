import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { renderEmailFiles } from "../render/email.js";
import { renderIssuePage } from "../render/issue-page.js";
import type { OutputFile } from "../render/output-file.js";
import { runWorker, workerUrl } from "./worker-thread.js";

/** A renderer of one issue's own files; skipped when nothing it depends on has changed (see `plan.ts`). */
export interface IssueRenderer {
  /** Its name in the manifest. */
  name: string;
  /** What its files depend on besides the issue itself and the configuration. */
  dependsOn: { templates: boolean; neighbours: boolean };
  render(issue: Issue, context: readonly Issue[], config: Config): IssueRendering | Promise<IssueRendering>;
}

export interface IssueRendering {
  files: OutputFile[];
  /** What the build should tell the editor about this issue. */
  notices?: string[];
}

/** The newsletter is made from the templates; the web page links to the previous and next issues. */
export const ISSUE_RENDERERS: readonly IssueRenderer[] = [
  { name: "email", dependsOn: { templates: true, neighbours: false }, render: renderEmailFiles },
  { name: "page", dependsOn: { templates: false, neighbours: true }, render: (issue, context, config) => ({ files: [renderIssuePage(issue, context, config)] }) },
];

/** One issue and which of its renderers to run. */
export interface IssueJob {
  date: string;
  renderers: string[];
}

/** What one issue's renderers left in the staging folder, by renderer. */
export interface RenderedIssue {
  date: string;
  outputs: Record<string, { files: string[]; notices: string[] }>;
}

/**
 * Runs the named renderers of one issue, handing each file to `stage` as
 * soon as it is made. `context` holds the issue's neighbours, for the
 * previous/next links.
 */
export async function renderIssue(issue: Issue, renderers: readonly string[], context: readonly Issue[], config: Config, stage: (file: OutputFile) => void): Promise<RenderedIssue> {
  const outputs: RenderedIssue["outputs"] = {};
  for (const renderer of ISSUE_RENDERERS.filter((r) => renderers.includes(r.name))) {
    const rendering = await renderer.render(issue, context, config);
    for (const file of rendering.files) stage(file);
    outputs[renderer.name] = { files: rendering.files.map((f) => f.path), notices: rendering.notices ?? [] };
  }
  return { date: issue.date, outputs };
}

/** Below this many issues to render, a worker's start-up costs more than it saves. */
const PARALLEL_FROM = 64;

export interface WorkerTask {
  stagingDir: string;
  /** One shared counter the worker adds each rendered issue to, for the build's progress. */
  rendered: Int32Array;
  config: Config;
  /** The issues to render and their neighbours, oldest first. */
  context: Issue[];
  jobs: IssueJob[];
}

/**
 * Renders `toRender` (oldest first), on this thread and, for a large build
 * on a machine with more than one core, on one worker thread too: the
 * newsletter and the web page of each issue are most of a cold build, and
 * each issue's are independent of the others'. `context` holds the issues
 * to render and their neighbours, oldest first (`neighbourhood`). The worker
 * writes its files into the same staging folder; results come back in date
 * order.
 */
export async function renderIssues(
  jobs: readonly IssueJob[],
  context: readonly Issue[],
  config: Config,
  staging: { dir: string; add: (file: OutputFile) => void; adopt: (paths: readonly string[]) => void },
  progress?: (done: number) => void,
): Promise<RenderedIssue[]> {
  const useWorker = jobs.length >= PARALLEL_FROM && workerUrl("render-worker.js") !== undefined;
  // The worker takes the newer half, which this thread would reach last.
  const split = useWorker ? Math.floor(jobs.length / 2) : jobs.length;
  const mine = jobs.slice(0, split);
  const theirs = jobs.slice(split);
  // Shared memory: this thread renders without yielding, so a message from the worker would wait until the end.
  const renderedThere = new Int32Array(new SharedArrayBuffer(4));
  const fromWorker = theirs.length > 0 ? renderOnWorker(theirs, context, config, staging.dir, renderedThere) : Promise.resolve([]);
  fromWorker.catch(() => undefined);
  const byDate = new Map(context.map((issue) => [issue.date, issue]));
  const here: RenderedIssue[] = [];
  for (const job of mine) {
    here.push(await renderIssue(byDate.get(job.date)!, job.renderers, context, config, staging.add));
    progress?.(here.length + Atomics.load(renderedThere, 0));
  }
  const polling = progress ? setInterval(() => progress(here.length + Atomics.load(renderedThere, 0)), 200) : undefined;
  try {
    const there = await fromWorker;
    for (const rendered of there) for (const output of Object.values(rendered.outputs)) staging.adopt(output.files);
    progress?.(here.length + there.length);
    return [...here, ...there];
  } finally {
    clearInterval(polling);
  }
}

/** The dates in `some` and each one's previous and next in `all` (both oldest first): all a web page's pager needs. */
export function neighbourhood(some: readonly string[], all: readonly string[]): string[] {
  const position = new Map(all.map((date, i) => [date, i]));
  const keep = new Set<number>();
  for (const date of some) {
    const i = position.get(date)!;
    for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < all.length) keep.add(j);
  }
  return [...keep].sort((a, b) => a - b).map((i) => all[i]!);
}

function renderOnWorker(jobs: readonly IssueJob[], context: readonly Issue[], config: Config, stagingDir: string, rendered: Int32Array): Promise<RenderedIssue[]> {
  const neighbours = new Set(neighbourhood(jobs.map((job) => job.date), context.map((i) => i.date)));
  const task: WorkerTask = { stagingDir, rendered, config, context: context.filter((i) => neighbours.has(i.date)), jobs: [...jobs] };
  return runWorker<RenderedIssue[]>(workerUrl("render-worker.js")!, task, "render");
}
