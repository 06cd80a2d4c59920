/** Where commands print: the CLI passes the terminal, tests pass a recorder. */
export interface Output {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** True when progress may redraw one line (a terminal). */
  readonly interactive: boolean;
  progress?(line: string): void;
}

export const terminal: Output = {
  info: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  interactive: Boolean(process.stderr.isTTY),
  progress: (line) => process.stderr.write(`\r\x1b[2K${line}`),
};
