import type { Issue } from "../model/issue.js";
import type { IssueRecord } from "./catalog.js";
import type { PlanIssue } from "./plan.js";
import { neighbours } from "../render/issue-page.js";
import { BACKLOG_MOST, BATCH_MOST, PARALLEL_FROM, type IssueJob, type IssueWorker } from "./render-issues.js";

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
 * Starts the render worker while the build is still reading the issues.
 * Reading a ten-year archive keeps one thread busy for seconds, with the
 * second core half idle; the worker used to start only once every issue
 * was read. Here each issue is planned as soon as the one after it has
 * been read (its neighbours are all a plan needs besides the issue:
 * `issuePlanner`), and once `PARALLEL_FROM` issues are ready to render,
 * the worker is started and handed them in batches, oldest first, never
 * more than `BACKLOG_MOST` ahead of what it has rendered. Only issues
 * parsed this time go ahead: the worker needs their models, and an
 * unchanged issue is not parsed.
 *
 * After reading, the build plans every issue again (`planBuild`, the same
 * planner on the same records) and leaves to the worker what `handed`
 * says it has; `renderIssues` shares the rest with the same worker.
 */
export class RenderAhead {
  readonly #plan: PlanIssue;
  readonly #startWorker: () => IssueWorker | undefined;
  /** The last issue read, whose plan waits for the issue after it, and the date of the one before it. */
  #current: ReadIssue | undefined;
  #previousDate: string | undefined;
  readonly #ready: ReadyJob[] = [];
  #worker: IssueWorker | undefined;
  /** Set when no worker can start (one core, or the TypeScript sources): nothing goes ahead. */
  #unavailable = false;
  /** What the worker was handed, by date. */
  readonly handed = new Map<string, IssueJob>();

  /** `plan` is the planner `planBuild` uses (`issuePlanner`). */
  constructor(plan: PlanIssue, startWorker: () => IssueWorker | undefined) {
    this.#plan = plan;
    this.#startWorker = startWorker;
  }

  /** The worker, once started: `renderIssues` goes on with it. */
  get worker(): IssueWorker | undefined {
    return this.#worker;
  }

  /** The next issue read, in date order: every issue the build keeps, each once. */
  read(date: string, record: IssueRecord, issue: Issue | undefined): void {
    if (this.#unavailable) return;
    const current = this.#current;
    if (current) this.#decide(this.#previousDate, current, date);
    this.#previousDate = current?.date;
    this.#current = { date, record, issue };
    this.#handOut();
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
      const batch = this.#ready.splice(0, BATCH_MOST);
      this.#worker.hand(batch.map((ready) => ready.job), batch.map((ready) => ready.issue));
      for (const { job } of batch) this.handed.set(job.date, job);
    }
  }
}
