import { availableParallelism } from "node:os";
import { parentPort, Worker } from "node:worker_threads";

/**
 * The build's worker thread: one beside the main thread on a machine with
 * more than one core, to render the issues of a large build. Only the
 * compiled build has a JavaScript entry for a worker; run from the
 * TypeScript sources (the tests), the main thread does everything, and a
 * test of the compiled CLI checks that both ways write the same bytes.
 *
 * Reading the issues stays on the main thread: handing the parsed issues of
 * a worker back (structured clone) cost more than parsing them, measured
 * (5.1 s for 3,679 issues on one thread, 6.7 s shared with a worker).
 */
export function workerUrl(entry: "render-worker.js"): URL | undefined {
  if (availableParallelism() < 2 || !import.meta.url.endsWith(".js")) return undefined;
  return new URL(`./${entry}`, import.meta.url);
}

type Answer<T> = { ok: true; result: T } | { ok: false; error: unknown };

/** Runs a worker on `task` and resolves with what it answers; an error in it rejects, as data. */
export function runWorker<T>(url: URL, task: unknown, what: string): Promise<T> {
  return new Promise((done, fail) => {
    const worker = new Worker(url, { workerData: task });
    let answer: Answer<T> | undefined;
    worker.once("message", (message: Answer<T>) => {
      answer = message;
      if (!message.ok) fail(message.error);
    });
    worker.once("error", fail);
    worker.once("exit", (code) => (answer?.ok ? done(answer.result) : fail(new Error(`the ${what} worker stopped (exit ${code}) before it finished`))));
  });
}

/** The worker side: runs `work` and answers with its result, or with the error as data, so the build reports it like any other. */
export async function answer<T>(work: () => T | Promise<T>): Promise<void> {
  try {
    parentPort!.postMessage({ ok: true, result: await work() } satisfies Answer<T>);
  } catch (error) {
    parentPort!.postMessage({ ok: false, error } satisfies Answer<T>);
  }
}
