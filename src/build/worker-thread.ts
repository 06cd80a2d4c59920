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
export function workerUrl(entry: "render-worker"): URL | undefined {
  // dist/build/*.js (tsc) or dist/bundle/*.cjs (the bundle): the worker's entry is beside this code, with its extension.
  const extension = /\.c?js$/u.exec(import.meta.url)?.[0];
  if (availableParallelism() < 2 || !extension) return undefined;
  return new URL(`./${entry}${extension}`, import.meta.url);
}

type Answer<T> = { ok: true; result: T } | { ok: false; error: unknown };

/** A running worker: messages to it, and what it answers when done. */
export interface RunningWorker<T> {
  /** What the worker answers with; an error in it (or its exit without an answer) rejects, as data. */
  readonly result: Promise<T>;
  post(message: unknown): void;
  /** Stops it, for a caller that failed and will not read its answer; resolves once the thread is gone (it writes no more). */
  terminate(): Promise<void>;
}

/** Starts a worker on `task`; it answers once, through `answer`. */
export function startWorker<T>(url: URL, task: unknown, what: string): RunningWorker<T> {
  const worker = new Worker(url, { workerData: task });
  const result = new Promise<T>((done, fail) => {
    let answer: Answer<T> | undefined;
    worker.once("message", (message: Answer<T>) => {
      answer = message;
      if (!message.ok) fail(message.error);
    });
    worker.once("error", fail);
    worker.once("exit", (code) => (answer?.ok ? done(answer.result) : fail(new Error(`the ${what} worker stopped (exit ${code}) before it finished`))));
  });
  // Read by the caller when it is ready; a failure before then must not be an unhandled rejection.
  result.catch(() => undefined);
  return {
    result,
    post: (message) => worker.postMessage(message),
    terminate: async () => void (await worker.terminate()),
  };
}

/** The worker side: runs `work` and answers with its result, or with the error as data, so the build reports it like any other. */
export async function answer<T>(work: () => T | Promise<T>): Promise<void> {
  try {
    parentPort!.postMessage({ ok: true, result: await work() } satisfies Answer<T>);
  } catch (error) {
    parentPort!.postMessage({ ok: false, error } satisfies Answer<T>);
  }
}
