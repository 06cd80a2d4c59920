import type { Issue } from "../model/issue.js";
import type { IssueRecord } from "./catalog.js";
import type { PlanIssue } from "./plan.js";
import { neighbours } from "../render/issue-page.js";
import { BACKLOG_MOST, BATCH_MOST, PARALLEL_FROM, type IssueJob, type IssueWorker, type RenderedIssue } from "./render-issues.js";

/** One issue as the build read it: its model if its file was parsed this time (an unchanged one's is not). */
interface ReadIssue {
  date: string;
  record: IssueRecord;
  issue: Issue | undefined;
}

/** A job decided while reading, with its issue. */
interface ReadyJob {
  job: IssueJob;
  issue: Issue;
}

/**
 * Ready issues this thread keeps, at most, while the worker is busy; it
 * renders the oldest of any more itself. Each waiting issue is a model the
 * heap holds (see `FeedArchiveAhead`); when reading ends, those left keep
 * the worker busy while this thread makes the site's pages (about a second
 * of the worker's rendering).
 */
export const READY_MOST = 512;

/**
 * Starts the render worker while the build is still reading the issues.
 * Reading a ten-year archive keeps one thread busy for seconds, with the
 * second core half idle; the worker used to start only once every issue
 * was read. Here each issue is planned as soon as the one after it has
 * been read (its neighbours are all a plan needs besides the issue:
 * `issuePlanner`), and once `PARALLEL_FROM` issues are ready to render,
 * the worker is started and handed them in batches, oldest first, never
 * more than `BACKLOG_MOST` ahead of what it has rendered. Beyond
 * `READY_MOST` ready issues, this thread renders the oldest itself, so
 * reading never piles up models. Only issues parsed this time go ahead:
 * the worker needs their models, and an unchanged issue is not parsed.
 *
 * After reading, the build plans every issue again (`planBuild`, the same
 * planner on the same records) and leaves out what `taken` says was handed
 * to the worker or rendered here (`renderedHere`); `renderIssues` shares
 * the rest with the same worker, taking their models from `model`.
 */
export class RenderAhead {
  readonly #plan: PlanIssue;
  readonly #startWorker: () => IssueWorker | undefined;
  readonly #renderHere: (issue: Issue, job: IssueJob) => Promise<RenderedIssue>;
  /** The last issue read, whose plan waits for the issue after it, and the date of the one before it. */
  #current: ReadIssue | undefined;
  #previousDate: string | undefined;
  readonly #ready: ReadyJob[] = [];
  #worker: IssueWorker | undefined;
  /** Set when no worker can start (one core, or the TypeScript sources): nothing goes ahead. */
  #unavailable = false;
  /** The jobs handed to the worker or rendered here, by date. */
  readonly taken = new Map<string, IssueJob>();
  /** What this thread rendered itself, oldest first. */
  readonly renderedHere: RenderedIssue[] = [];

  /** `plan` is the planner `planBuild` uses (`issuePlanner`); `renderHere` renders one job on this thread, staging its files. */
  constructor(plan: PlanIssue, startWorker: () => IssueWorker | undefined, renderHere: (issue: Issue, job: IssueJob) => Promise<RenderedIssue>) {
    this.#plan = plan;
    this.#startWorker = startWorker;
    this.#renderHere = renderHere;
  }

  /** The worker, once started: `renderIssues` goes on with it. */
  get worker(): IssueWorker | undefined {
    return this.#worker;
  }

  /** The model of an issue that was made ready and not taken: for the build's own pass. */
  model(date: string): Issue | undefined {
    return this.#ready.find((ready) => ready.job.date === date)?.issue;
  }

  /** The next issue read, in date order: every issue the build keeps, each once. */
  async read(date: string, record: IssueRecord, issue: Issue | undefined): Promise<void> {
    if (this.#unavailable) return;
    const current = this.#current;
    if (current) this.#decide(this.#previousDate, current, date);
    this.#previousDate = current?.date;
    this.#current = { date, record, issue };
    this.#handOut();
    while (this.#worker && this.#ready.length > READY_MOST) {
      const [oldest] = this.#take(1);
      this.renderedHere.push(await this.#renderHere(oldest!.issue, oldest!.job));
    }
  }

  /** Stops the worker, for a build that failed before it could finish; it writes no more once this resolves. */
  async stop(): Promise<void> {
    await this.#worker?.terminate();
  }

  #decide(previous: string | undefined, current: ReadIssue, next: string): void {
    // Checked first: planning costs hashes and file checks, and in a daily build nearly every issue is unchanged.
    if (!current.issue) return;
    const renderers = this.#plan(current.date, current.record, [previous ?? null, next]).make.filter((name) => name !== "images");
    if (renderers.length === 0) return;
    this.#ready.push({ job: { date: current.date, renderers, neighbours: neighbours(previous, next) }, issue: current.issue });
  }

  #handOut(): void {
    if (!this.#worker) {
      if (this.#ready.length < PARALLEL_FROM) return;
      this.#worker = this.#startWorker();
      if (!this.#worker) {
        this.#unavailable = true;
        this.#ready.length = 0;
        return;
      }
    }
    while (this.#ready.length > 0 && this.#worker.backlog < BACKLOG_MOST) {
      const batch = this.#take(BATCH_MOST);
      this.#worker.hand(batch.map((ready) => ready.job), batch.map((ready) => ready.issue));
    }
  }

  /** The oldest `count` ready jobs (fewer if fewer wait), taken out of the queue. */
  #take(count: number): ReadyJob[] {
    const taken = this.#ready.splice(0, count);
    for (const { job } of taken) this.taken.set(job.date, job);
    return taken;
  }
}
