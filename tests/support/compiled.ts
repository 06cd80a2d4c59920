import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./golden.js";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Tests that run the compiled CLI (a child process, a worker thread) need
 * dist/ and its bundle to match src/: build them when missing or older.
 * `npm test` builds first, so this only matters when vitest runs on its own.
 */
export function ensureCompiled(probe = "dist/bundle/main.cjs"): void {
  let built = 0;
  try {
    built = statSync(join(repoRoot, probe)).mtimeMs;
  } catch {
    built = 0;
  }
  if (built < newestMtime(join(repoRoot, "src"))) execFileSync("npm", ["run", "--silent", "build"], { cwd: repoRoot, stdio: "inherit" });
}
