import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * One hash of everything a build reads: every file in the issues folder and
 * in each issue's image folder (names and bytes), the templates, the
 * configuration and the renderers' version. Equal to the last build's, and
 * with its files all in place, the build has nothing to do: it need not
 * even parse. Synchronous reads: thousands of small files, read once each.
 */
export function fingerprintInputs(issuesDir: string, extra: unknown): string {
  const hash = createHash("sha256").update(JSON.stringify(extra));
  const visit = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth === 0) {
        hash.update(`dir ${entry.name}\n`);
        visit(path, 1);
      } else if (entry.isFile()) {
        const bytes = readFileSync(path);
        hash.update(`file ${entry.name} ${bytes.length}\n`).update(bytes);
      }
    }
  };
  visit(issuesDir, 0);
  return hash.digest("hex");
}
