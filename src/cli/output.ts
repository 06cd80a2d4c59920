import type { Output } from "../output.js";

export type { Output };

/**
 * Standard output may be a pipe whose reader has gone (`letterpress build |
 * head -1`): what is left to say is dropped, and the command finishes its
 * work (a build stopped half-way would leave its staging folder behind).
 */
let stdoutGone = false;
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  stdoutGone = true;
});

export const terminal: Output = {
  info: (line) => {
    if (!stdoutGone) process.stdout.write(`${line}\n`);
  },
  warn: (line) => process.stderr.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  interactive: Boolean(process.stderr.isTTY),
  progress: (line) => process.stderr.write(`\r\x1b[2K${line}`),
};
