import { formatDiagnostic } from "../../errors.js";
import { loadIssues } from "../../parse/index.js";
import type { Output } from "../output.js";

export interface CheckSummary {
  issues: number;
  entries: number;
  warnings: number;
  errors: number;
}

/** Reads and validates every digest; prints each problem, then a one-line summary. */
export async function runCheck(issuesDir: string, out: Output): Promise<CheckSummary> {
  const { diagnostics, files, entryCount } = await loadIssues(issuesDir);
  for (const d of diagnostics) (d.severity === "error" ? out.error : out.warn)(formatDiagnostic(d));
  const summary: CheckSummary = {
    issues: files.length,
    entries: entryCount,
    warnings: diagnostics.filter((d) => d.severity === "warning").length,
    errors: diagnostics.filter((d) => d.severity === "error").length,
  };
  out.info(
    `${plural(summary.issues, "issue")}, ${plural(summary.entries, "entry", "entries")}, ${plural(summary.warnings, "warning")}, ${plural(summary.errors, "error")}`,
  );
  return summary;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
