import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";
import { renderEmailFiles } from "../render/email.js";
import { renderIssuePage } from "../render/issue-page.js";
import type { OutputFile } from "../render/output-file.js";

/** A renderer of one issue's own files; skipped when the issue has not changed (see `plan.ts`). */
export type IssueRenderer = (issue: Issue, issues: readonly Issue[], config: Config) => IssueRendering | Promise<IssueRendering>;

export interface IssueRendering {
  files: OutputFile[];
  /** What the build should tell the editor about this issue. */
  notices?: string[];
}

const issueRenderers: IssueRenderer[] = [renderEmailFiles, (issue, issues, config) => ({ files: [renderIssuePage(issue, issues, config)] })];

/** What one issue's rendering left in the staging folder. */
export interface RenderedIssue {
  date: string;
  files: string[];
  notices: string[];
}

/**
 * Renders one issue's files, handing each to `stage` as soon as it is made.
 * `context` holds the issue's neighbours, for the previous/next links.
 */
export async function renderIssue(issue: Issue, context: readonly Issue[], config: Config, stage: (file: OutputFile) => void): Promise<RenderedIssue> {
  const files: string[] = [];
  const notices: string[] = [];
  for (const render of issueRenderers) {
    const rendering = await render(issue, context, config);
    for (const file of rendering.files) {
      stage(file);
      files.push(file.path);
    }
    notices.push(...(rendering.notices ?? []));
  }
  return { date: issue.date, files, notices };
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
  dates: string[];
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
  toRender: readonly Issue[],
  context: readonly Issue[],
  config: Config,
  staging: { dir: string; add: (file: OutputFile) => void; adopt: (paths: readonly string[]) => void },
  progress?: (done: number) => void,
): Promise<RenderedIssue[]> {
  const useWorker = toRender.length >= PARALLEL_FROM && availableParallelism() > 1 && workerEntry() !== undefined;
  // The worker takes the newer half, which this thread would reach last.
  const split = useWorker ? Math.floor(toRender.length / 2) : toRender.length;
  const mine = toRender.slice(0, split);
  const theirs = toRender.slice(split);
  // Shared memory: this thread renders without yielding, so a message from the worker would wait until the end.
  const renderedThere = new Int32Array(new SharedArrayBuffer(4));
  const fromWorker = theirs.length > 0 ? renderOnWorker(theirs, context, config, staging.dir, renderedThere) : Promise.resolve([]);
  fromWorker.catch(() => undefined);
  const here: RenderedIssue[] = [];
  for (const issue of mine) {
    here.push(await renderIssue(issue, context, config, staging.add));
    progress?.(here.length + Atomics.load(renderedThere, 0));
  }
  const polling = progress ? setInterval(() => progress(here.length + Atomics.load(renderedThere, 0)), 200) : undefined;
  try {
    const there = await fromWorker;
    for (const rendered of there) staging.adopt(rendered.files);
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

function workerEntry(): URL | undefined {
  // Only the compiled build has a JavaScript entry for the worker; run from
  // TypeScript sources (the tests), everything renders on this thread.
  const url = new URL("./render-worker.js", import.meta.url);
  return import.meta.url.endsWith(".js") ? url : undefined;
}

function renderOnWorker(toRender: readonly Issue[], context: readonly Issue[], config: Config, stagingDir: string, rendered: Int32Array): Promise<RenderedIssue[]> {
  const dates = toRender.map((i) => i.date);
  const neighbours = new Set(neighbourhood(dates, context.map((i) => i.date)));
  const task: WorkerTask = { stagingDir, rendered, config, context: context.filter((i) => neighbours.has(i.date)), dates };
  return new Promise((done, fail) => {
    const worker = new Worker(workerEntry()!, { workerData: task });
    let result: RenderedIssue[] | undefined;
    worker.once("message", (message: { ok: true; rendered: RenderedIssue[] } | { ok: false; error: unknown }) => {
      if (message.ok) result = message.rendered;
      else fail(message.error);
    });
    worker.once("error", fail);
    worker.once("exit", (code) => (result ? done(result) : fail(new Error(`the render worker stopped (exit ${code}) before it finished`))));
  });
}
