import type { Config } from "../config/schema.js";
import { compareDates } from "../model/calendar.js";
import type { Issue } from "../model/issue.js";
import { renderEmailFiles } from "../render/email.js";
import { neighbours, renderIssuePage, type Neighbours } from "../render/issue-page.js";
import type { OutputFile } from "../render/output-file.js";
import { startWorker, workerUrl } from "./worker-thread.js";

/** A renderer of one issue's own files; skipped when nothing it depends on has changed (see `plan.ts`). */
export interface IssueRenderer {
  /** Its name in the manifest. */
  name: string;
  /** What its files depend on besides the issue itself and the configuration. */
  dependsOn: { templates: boolean; neighbours: boolean };
  render(issue: Issue, neighbours: Neighbours, config: Config): IssueRendering | Promise<IssueRendering>;
}

export interface IssueRendering {
  files: OutputFile[];
  /** What the build should tell the editor about this issue. */
  notices?: string[];
}

/** The newsletter is made from the templates; the web page links to the previous and next issues. */
export const ISSUE_RENDERERS: readonly IssueRenderer[] = [
  { name: "email", dependsOn: { templates: true, neighbours: false }, render: (issue, _neighbours, config) => renderEmailFiles(issue, config) },
  { name: "page", dependsOn: { templates: false, neighbours: true }, render: (issue, neighbours, config) => ({ files: [renderIssuePage(issue, neighbours, config)] }) },
];

/** One issue, which of its renderers to run, and the dates of its neighbours (the page links to them). */
export interface IssueJob {
  date: string;
  renderers: string[];
  neighbours: Neighbours;
}

/** The neighbours of `dates[i]` in `dates` (every issue's date, oldest first). */
export function neighboursAt(dates: readonly string[], i: number): Neighbours {
  return neighbours(dates[i - 1], dates[i + 1]);
}

/** What one issue's renderers left in the staging folder, by renderer. */
export interface RenderedIssue {
  date: string;
  outputs: Record<string, { files: string[]; notices: string[] }>;
}

/** Runs the job's renderers on its issue, handing each file to `stage` as soon as it is made. */
export async function renderIssue(issue: Issue, job: IssueJob, config: Config, stage: (file: OutputFile) => void): Promise<RenderedIssue> {
  const outputs: RenderedIssue["outputs"] = {};
  for (const renderer of ISSUE_RENDERERS.filter((r) => job.renderers.includes(r.name))) {
    const rendering = await renderer.render(issue, job.neighbours, config);
    for (const file of rendering.files) stage(file);
    outputs[renderer.name] = { files: rendering.files.map((f) => f.path), notices: rendering.notices ?? [] };
  }
  return { date: issue.date, outputs };
}

/** Below this many issues to render, a worker's start-up costs more than it saves. */
export const PARALLEL_FROM = 64;

/** The render worker's start: where to write, and the counter it adds each rendered issue to. */
export interface WorkerTask {
  stagingDir: string;
  /** One shared counter the worker adds each rendered issue to: the build's progress, and how much work the worker has left. */
  rendered: Int32Array;
  config: Config;
}

/** What the build thread sends the worker: jobs and their issues, in the same order; or the end. */
export type WorkerBatch = { jobs: IssueJob[]; issues: Issue[] } | { end: true };

/** Issues handed to the worker at a time, at most: each hand-over is a structured clone of the batch's issues. */
export const BATCH_MOST = 32;
/** And at least, near the end, so neither thread is left with much when the other runs out. */
const BATCH_LEAST = 4;
/** Issues handed to the worker and not rendered yet, at most: enough that it never waits for the next batch. */
export const BACKLOG_MOST = 2 * BATCH_MOST;

/** The worker thread that renders issues beside the build's own thread, into the same staging folder. */
export interface IssueWorker {
  /** Issues handed over and not rendered yet. */
  readonly backlog: number;
  /** Issues rendered so far. */
  readonly rendered: number;
  /** Hands over `jobs` and their issues, in the same order. */
  hand(jobs: IssueJob[], issues: Issue[]): void;
  /** Tells it the end, and reads what it rendered (every issue it was handed). */
  finish(): Promise<RenderedIssue[]>;
  /** Stops it, for a build that failed; resolves once it writes no more. */
  terminate(): Promise<void>;
}

/** The worker thread, on a machine with more than one core and in the compiled build (`workerUrl`); else undefined. */
export function startIssueWorker(config: Config, stagingDir: string): IssueWorker | undefined {
  const url = workerUrl("render-worker");
  if (!url) return undefined;
  // Shared memory: the build thread works without yielding, and reads the worker's progress from it.
  const rendered = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWorker<RenderedIssue[]>(url, { stagingDir, rendered, config } satisfies WorkerTask, "render");
  let handedOver = 0;
  return {
    get backlog() {
      return handedOver - Atomics.load(rendered, 0);
    },
    get rendered() {
      return Atomics.load(rendered, 0);
    },
    hand(jobs, issues) {
      worker.post({ jobs, issues } satisfies WorkerBatch);
      handedOver += jobs.length;
    },
    finish() {
      worker.post({ end: true } satisfies WorkerBatch);
      return worker.result;
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * Renders `jobs` (oldest first) and runs `alongside` (the build's other
 * work, which needs this thread: the site's pages and feeds). For a large
 * build on a machine with more than one core, a worker thread renders
 * issues too, and the work is shared as it goes: this thread hands the
 * worker batches of the newest issues left (up to `BACKLOG_MOST` ahead of
 * what it has rendered), while it runs `alongside` and then renders the
 * oldest left itself; the two meet wherever that falls. (A fixed half each
 * left the worker idle while this thread made the site's pages: a cold
 * ten-year build took 22.8-27.6 s, shared as it goes 19.2-20.0 s.) Each
 * file is staged as soon as it is made; the worker writes its own into the
 * same staging folder. `worker`, if given, is one already rendering what
 * the build handed it while reading (`RenderAhead`); its results come back
 * with these. Each issue is loaded (`load`) as it is handed over or
 * rendered, not all before the first is rendered: after a template edit
 * every issue is parsed again, and the worker would wait seconds for it.
 * Results come back in date order.
 */
export async function renderIssues(
  jobs: readonly IssueJob[],
  load: (date: string) => Issue,
  config: Config,
  staging: { dir: string; add: (file: OutputFile) => void; adopt: (paths: readonly string[]) => void },
  progress?: (done: number) => void,
  alongside: readonly (() => void)[] = [],
  started?: IssueWorker,
): Promise<RenderedIssue[]> {
  const worker = started ?? (jobs.length >= PARALLEL_FROM ? startIssueWorker(config, staging.dir) : undefined);
  const renderHere = (job: IssueJob) => renderIssue(load(job.date), job, config, staging.add);
  if (!worker) {
    const rendered: RenderedIssue[] = [];
    for (const job of jobs) {
      rendered.push(await renderHere(job));
      progress?.(rendered.length);
    }
    for (const work of alongside) work();
    return rendered;
  }

  // Jobs not handed out yet: this thread takes from the front (`next`), the worker's batches from the back (`last`).
  let next = 0;
  let last = jobs.length;
  const keepWorkerBusy = () => {
    while (last > next && worker.backlog < BACKLOG_MOST) {
      const size = Math.min(last - next, Math.max(BATCH_LEAST, Math.min(BATCH_MOST, Math.floor((last - next) / 8))));
      const batch = jobs.slice(last - size, last);
      last -= size;
      worker.hand(batch, batch.map((job) => load(job.date)));
    }
  };
  const here: RenderedIssue[] = [];
  const report = () => progress?.(here.length + worker.rendered);
  let there: RenderedIssue[];
  try {
    keepWorkerBusy();
    for (const work of alongside) {
      work();
      keepWorkerBusy();
      report();
    }
    while (next < last) {
      here.push(await renderHere(jobs[next++]!));
      keepWorkerBusy();
      report();
    }
    const polling = progress ? setInterval(report, 200) : undefined;
    try {
      there = await worker.finish();
    } finally {
      clearInterval(polling);
    }
  } catch (err) {
    // Before the caller throws the staging folder away: a worker still writing there would leave some of it behind.
    await worker.terminate();
    throw err;
  }
  for (const rendered of there) for (const output of Object.values(rendered.outputs)) staging.adopt(output.files);
  progress?.(here.length + there.length);
  return [...here, ...there].sort(compareDates);
}
