import { workerData } from "node:worker_threads";
import { renderIssue, type RenderedIssue, type WorkerTask } from "./render-issues.js";
import { answer } from "./worker-thread.js";
import { OutputStage } from "./write.js";

/**
 * The worker side of `renderIssues`: renders the issues it is given into
 * the build's staging folder and answers with what it wrote.
 */
const task = workerData as WorkerTask;
const stage = OutputStage.attach(task.stagingDir);
await answer(async () => {
  const byDate = new Map(task.context.map((issue) => [issue.date, issue]));
  const rendered: RenderedIssue[] = [];
  for (const job of task.jobs) {
    rendered.push(await renderIssue(byDate.get(job.date)!, job.renderers, task.context, task.config, (file) => stage.add(file)));
    Atomics.add(task.rendered, 0, 1);
  }
  return rendered;
});
