import type { Output } from "../output.js";

export type { Output };

export const terminal: Output = {
  info: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  interactive: Boolean(process.stderr.isTTY),
  progress: (line) => process.stderr.write(`\r\x1b[2K${line}`),
};
