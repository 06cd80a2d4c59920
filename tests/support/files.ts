import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

/** Every file under `dir`, by relative path, as base64 of its bytes: for comparing two output folders. */
export async function snapshotFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), (await readFile(path)).toString("base64"));
  }
  return files;
}
