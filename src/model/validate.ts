import { warning, type Diagnostic } from "../errors.js";
import type { Issue } from "./issue.js";

/**
 * Checks that need the whole issue, after parsing: numbering and categories.
 * Only warnings: the editor may mean it, and the build still works.
 */
export function validateIssue(issue: Issue): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let expected = 1;
  for (const entry of issue.entries) {
    if (entry.number === undefined) continue;
    if (entry.number !== expected) {
      diagnostics.push(warning(entry.source, `entry number ${entry.number} is out of sequence: expected ${expected}`));
    }
    expected = entry.number + 1;
  }
  if (issue.legend.length > 0) {
    const known = issue.legend.map((c) => c.tag);
    for (const entry of [...issue.entries, ...issue.extras]) {
      if (entry.category && !known.includes(entry.category)) {
        diagnostics.push(
          warning(entry.source, `category [${entry.category}] is not in the legend (${known.join(", ")}): add it to the legend or correct the tag`),
        );
      }
    }
  }
  return diagnostics;
}
