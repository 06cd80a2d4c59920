import type { Diagnostic } from "../errors.js";
import type { Issue } from "../model/issue.js";

/** What a parser reads out of one digest file; the loader adds the date, name and images. */
export type DigestContent = Pick<Issue, "tags" | "legend" | "entries" | "extras"> &
  Partial<Pick<Issue, "title" | "summary" | "starNote" | "extrasHeading">> & {
    /** The date the file itself states (Markdown front matter), to compare with its name. */
    statedDate?: { value: string; line: number };
  };

export interface ParseResult {
  content: DigestContent;
  diagnostics: Diagnostic[];
}
