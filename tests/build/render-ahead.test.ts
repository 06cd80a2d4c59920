import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { IssueRecord } from "../../src/build/catalog.js";
import { issuePlanner, OutputListing, planBuild, type PlanInputs } from "../../src/build/plan.js";
import { READY_MOST, RenderAhead } from "../../src/build/render-ahead.js";
import { BACKLOG_MOST, BATCH_MOST, PARALLEL_FROM, type IssueJob, type IssueWorker, type RenderedIssue } from "../../src/build/render-issues.js";
import { resolveConfig } from "../../src/config/load.js";
import type { Issue } from "../../src/model/issue.js";

/** A worker that renders nothing: it keeps what it is handed, and the test says how many it has rendered. */
class RecordingWorker implements IssueWorker {
  readonly batches: { jobs: IssueJob[]; issues: string[] }[] = [];
  rendered = 0;
  get handed(): number {
    return this.batches.reduce((sum, batch) => sum + batch.jobs.length, 0);
  }
  get backlog(): number {
    return this.handed - this.rendered;
  }
  hand(jobs: IssueJob[], issues: Issue[]): void {
    this.batches.push({ jobs, issues: issues.map((issue) => issue.date) });
  }
  finish(): Promise<RenderedIssue[]> {
    return Promise.resolve([]);
  }
  terminate(): Promise<void> {
    return Promise.resolve();
  }
}

/** `count` consecutive dates from 2020-01-01. */
function datesFrom(count: number): string[] {
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10));
}

function recordOf(date: string): IssueRecord {
  return { source: { name: `${date}.txt`, size: 100, mtimeMs: 0, sha256: `hash of ${date}` }, images: [], warnings: [], summary: { item: date, categories: [] } };
}

async function planInputs(): Promise<PlanInputs> {
  return {
    output: new OutputListing(join(await mkdtemp(join(tmpdir(), "letterpress-ahead-")), "out")),
    templates: [{ file: "newsletter.mjml", text: "<mjml></mjml>" }],
    config: resolveConfig({ site: { url: "https://example.org/digest/" } }, "test.config.json"),
    previous: undefined,
  };
}

/** Reads every date, as the catalog does, each with its model unless `unparsed` names it. */
async function readAll(ahead: RenderAhead, dates: readonly string[], unparsed: ReadonlySet<string> = new Set()) {
  for (const date of dates) await ahead.read(date, recordOf(date), unparsed.has(date) ? undefined : ({ date } as Issue));
}

/** This thread's rendering, recorded: the dates it was asked to render, in order. */
function renderingHere() {
  const dates: string[] = [];
  const render = (issue: Issue, job: IssueJob): Promise<RenderedIssue> => {
    dates.push(issue.date);
    return Promise.resolve({ date: job.date, outputs: {} });
  };
  return { dates, render };
}

const nothingHere = renderingHere().render;

describe("rendering ahead while the build reads", () => {
  it("hands the worker nothing until enough issues are ready, then batches of the oldest, planned as the build plans them", async () => {
    const inputs = await planInputs();
    const dates = datesFrom(PARALLEL_FROM + 2);
    const worker = new RecordingWorker();
    let starts = 0;
    const ahead = new RenderAhead(issuePlanner(inputs), () => (starts++, worker), nothingHere);

    // The first PARALLEL_FROM issues make PARALLEL_FROM - 1 ready: each waits for the one after it.
    await readAll(ahead, dates.slice(0, PARALLEL_FROM));
    expect(starts).toBe(0);
    expect(ahead.worker).toBeUndefined();
    await readAll(ahead, dates.slice(PARALLEL_FROM));
    expect(starts).toBe(1);
    expect(ahead.worker).toBe(worker);

    // Two full batches (the backlog's limit), the oldest issues first; the rest wait for the worker.
    expect(worker.batches.map((batch) => batch.jobs.length)).toEqual([BATCH_MOST, BATCH_MOST]);
    expect(worker.handed).toBe(BACKLOG_MOST);
    const handed = worker.batches.flatMap((batch) => batch.jobs);
    expect(handed.map((job) => job.date)).toEqual(dates.slice(0, BACKLOG_MOST));
    expect([...ahead.taken.keys()]).toEqual(dates.slice(0, BACKLOG_MOST));

    // Just what planBuild plans for the same records, newsletter and page alike.
    const plan = planBuild({ ...inputs, records: new Map(dates.map((date) => [date, recordOf(date)])) });
    const planned = new Map(plan.make.map(({ date, outputs }) => [date, outputs.filter((name) => name !== "images")]));
    for (const job of handed) expect(job.renderers).toEqual(planned.get(job.date));
    expect(handed[0]!.renderers).toEqual(["email", "page"]);

    // Each batch carries its jobs' issues, in the same order, and each job its neighbours' dates (the page links to them).
    expect(worker.batches[0]!.issues).toEqual(dates.slice(0, BATCH_MOST));
    expect(worker.batches[1]!.issues).toEqual(dates.slice(BATCH_MOST, 2 * BATCH_MOST));
    expect(handed[0]!.neighbours).toEqual({ next: dates[1] });
    expect(handed[5]!.neighbours).toEqual({ previous: dates[4], next: dates[6] });
  });

  it("hands more as the worker renders, and never the newest issue, whose next is not read yet", async () => {
    const dates = datesFrom(PARALLEL_FROM + 40);
    const worker = new RecordingWorker();
    const ahead = new RenderAhead(issuePlanner(await planInputs()), () => worker, nothingHere);
    await readAll(ahead, dates.slice(0, -1));
    expect(worker.handed).toBe(BACKLOG_MOST);
    worker.rendered = BACKLOG_MOST;
    await readAll(ahead, dates.slice(-1));
    // Everything but the newest is ready: all of it is handed now that the worker has room.
    expect([...ahead.taken.keys()]).toEqual(dates.slice(0, -1));
  });

  it("renders the oldest ready issues itself beyond READY_MOST, so that no more models wait than that", async () => {
    const dates = datesFrom(BACKLOG_MOST + READY_MOST + 11);
    const worker = new RecordingWorker();
    const here = renderingHere();
    const ahead = new RenderAhead(issuePlanner(await planInputs()), () => worker, here.render);
    await readAll(ahead, dates);

    // The worker is handed its backlog; of the rest, all ready but the newest, this thread renders the oldest ten.
    expect(worker.handed).toBe(BACKLOG_MOST);
    const renderedHere = dates.slice(BACKLOG_MOST, BACKLOG_MOST + 10);
    expect(here.dates).toEqual(renderedHere);
    expect(ahead.renderedHere.map((rendered) => rendered.date)).toEqual(renderedHere);
    expect([...ahead.taken.keys()]).toEqual(dates.slice(0, BACKLOG_MOST + 10));
    expect(ahead.taken.get(renderedHere[0]!)!.neighbours).toEqual({ previous: dates[BACKLOG_MOST - 1], next: dates[BACKLOG_MOST + 1] });

    // The models of the issues still waiting are held for the build's own pass, and only theirs.
    const waiting = dates.slice(BACKLOG_MOST + 10, -1);
    expect(waiting).toHaveLength(READY_MOST);
    for (const date of waiting) expect(ahead.model(date)?.date).toBe(date);
    for (const date of [...ahead.taken.keys(), dates.at(-1)!]) expect(ahead.model(date)).toBeUndefined();
  });

  it("leaves an issue to the build's own pass when it was not parsed (its file unchanged), and hands its neighbours", async () => {
    const dates = datesFrom(PARALLEL_FROM + 20);
    const worker = new RecordingWorker();
    // Rendered as fast as it is handed: every ready issue is handed at once.
    worker.rendered = 1_000_000;
    const ahead = new RenderAhead(issuePlanner(await planInputs()), () => worker, nothingHere);
    const unparsed = new Set([dates[10]!]);
    await readAll(ahead, dates, unparsed);
    const handed = [...ahead.taken.keys()];
    expect(handed).not.toContain(dates[10]);
    expect(handed).toContain(dates[9]);
    expect(handed).toContain(dates[11]);
    expect(ahead.taken.get(dates[11]!)!.neighbours).toEqual({ previous: dates[10], next: dates[12] });
  });

  it("does nothing where no worker can start", async () => {
    let starts = 0;
    const ahead = new RenderAhead(issuePlanner(await planInputs()), () => (starts++, undefined), nothingHere);
    await readAll(ahead, datesFrom(3 * PARALLEL_FROM));
    expect(starts).toBe(1);
    expect(ahead.worker).toBeUndefined();
    expect(ahead.taken.size).toBe(0);
  });
});
