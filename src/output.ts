/**
 * Where the pipeline reports to: the CLI passes the terminal
 * (`cli/output.ts`), tests pass a recorder. Here, beside `errors.ts`, so
 * that `build` and `deliver` need nothing from `cli`.
 */
export interface Output {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** True when progress may redraw one line (a terminal). */
  readonly interactive: boolean;
  progress?(line: string): void;
}
