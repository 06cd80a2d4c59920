import type { Output } from "../../src/cli/output.js";

/** An Output that keeps what a command printed, line by line, for assertions. */
export function recordOutput(): Output & { lines: string[]; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines: string[] = [];
  const push = (to: string[]) => (text: string) => {
    for (const line of text.split("\n")) {
      to.push(line);
      lines.push(line);
    }
  };
  return { lines, stdout, stderr, info: push(stdout), warn: push(stderr), error: push(stderr), interactive: false };
}
