import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { OutputFile } from "../render/output-file.js";

/**
 * The only code that writes under `out/`. Order: write every file into a
 * staging folder inside `out/` (same file system, so renames are atomic),
 * then move each into place, then remove the staging folder. A build that
 * fails before this point has written nothing; readers of `out/` never see a
 * half-written file. Files that are not part of `files` (the capture
 * mailbox, screenshots) are left alone.
 */
export async function writeOutputs(outDir: string, files: readonly OutputFile[], options: { remove?: readonly string[] } = {}): Promise<void> {
  const root = resolve(outDir);
  await mkdir(root, { recursive: true });
  const staging = await mkdtemp(join(root, ".staging-"));
  try {
    for (const file of files) {
      const target = safeTarget(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.contents);
    }
    for (const file of files) {
      const target = safeTarget(root, file.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(safeTarget(staging, file.path), target);
    }
    // Outputs of an earlier build that this one no longer makes (a deleted issue's pages), so out/ matches a clean build.
    for (const path of options.remove ?? []) await rm(safeTarget(root, path), { force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function safeTarget(root: string, path: string): string {
  const target = resolve(root, path);
  if (relative(root, target).startsWith("..") || !target.startsWith(root + sep)) {
    throw new Error(`refusing to write outside ${root}: ${path}`);
  }
  return target;
}
