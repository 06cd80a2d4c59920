import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * One hash of everything a build reads: every file in the issues folder and
 * in each issue's image folder (name, size and modification time, as make
 * and Hugo judge change), the templates and the configuration (their
 * content) and the renderers' version. Equal to the last build's, and with
 * its files all in place, the build has nothing to do: it need not even
 * read an issue. Any other difference sends the build to the plan, which
 * compares each issue's bytes. Reading and hashing every file instead took
 * about 1.5 s of a 2 s unchanged rebuild of a 3,650-issue archive.
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
        const { size, mtimeMs } = statSync(path);
        hash.update(`file ${entry.name} ${size} ${mtimeMs}\n`);
      }
    }
  };
  visit(issuesDir, 0);
  return hash.digest("hex");
}
