import { parentPort, workerData } from "node:worker_threads";
import { renderIssue, type RenderedIssue, type WorkerBatch, type WorkerTask } from "./render-issues.js";
import { answer } from "./worker-thread.js";
import { OutputStage } from "./write.js";

/**
 * The worker side of `renderIssues`: renders the batches of issues it is
 * sent into the build's staging folder, until told the end, and answers
 * with what it wrote.
 */
const task = workerData as WorkerTask;
const stage = OutputStage.attach(task.stagingDir);

const arrived: WorkerBatch[] = [];
let waiting: ((batch: WorkerBatch) => void) | undefined;
const receive = (batch: WorkerBatch) => {
  if (waiting) {
    waiting(batch);
    waiting = undefined;
  } else {
    arrived.push(batch);
  }
};
parentPort!.on("message", receive);
const nextBatch = () => arrived.shift() ?? new Promise<WorkerBatch>((resolve) => (waiting = resolve));

// Not awaited at the top: the bundle is CommonJS, which has no top-level await; `answer` reports every error itself.
void answer(async () => {
  try {
    const rendered: RenderedIssue[] = [];
    for (let batch = await nextBatch(); !("end" in batch); batch = await nextBatch()) {
      for (const [i, job] of batch.jobs.entries()) {
        rendered.push(await renderIssue(batch.issues[i]!, job, task.config, (file) => stage.add(file)));
        Atomics.add(task.rendered, 0, 1);
      }
    }
    return rendered;
  } finally {
    // Nothing more to wait for: the thread ends once it has answered.
    parentPort!.off("message", receive);
  }
});
