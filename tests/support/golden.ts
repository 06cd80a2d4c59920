import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { expect } from "vitest";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const goldenDir = join(repoRoot, "tests", "golden");

/**
 * Compares `actual` with the golden file byte for byte. `UPDATE_GOLDEN=1`
 * (`npm run golden:update`) rewrites the file instead, after a deliberate
 * change: review the diff like code.
 */
export async function expectGolden(relativePath: string, actual: string): Promise<void> {
  const path = join(goldenDir, relativePath);
  if (process.env.UPDATE_GOLDEN === "1") {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`no golden file ${path}: run \`npm run golden:update\` to create it, then review it`);
  expect(actual).toBe(await readFile(path, "utf8"));
}
