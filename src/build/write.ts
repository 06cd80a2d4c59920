import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { OutputFile } from "../render/output-file.js";

/**
 * The only code that writes under `out/`. Order: each file is written into a
 * staging folder inside `out/` as soon as it is rendered (so a large build
 * never holds all its output in memory), then `commit` moves each into place
 * (same file system, so every rename is atomic) and removes what the build
 * no longer makes; `discard` throws the staging folder away. A build that
 * fails before `commit` leaves `out/` as it was; readers of `out/` never see
 * a half-written file. A file whose bytes are already in place is not
 * replaced, so feeds and pages keep their modification time (and a static
 * host's caches) when their content did not change. Files that no build
 * makes (the capture mailbox, screenshots) are left alone.
 *
 * Synchronous file calls on purpose: a build writes thousands of small
 * files one after another, and each promise-based call is a thread-pool
 * round trip.
 */
export class OutputStage {
  readonly #root: string;
  readonly #staging: string;
  readonly #paths: string[] = [];
  readonly #madeDirs = new Set<string>();
  /** The outermost folder `open` made to hold `out/`, if it made any: `discard` takes it away again. */
  readonly #madeRoot: string | undefined;

  private constructor(root: string, staging: string, madeRoot?: string) {
    this.#root = root;
    this.#staging = staging;
    this.#madeRoot = madeRoot;
  }

  static open(outDir: string): OutputStage {
    const root = resolve(outDir);
    const madeRoot = mkdirSync(root, { recursive: true });
    return new OutputStage(root, mkdtempSync(join(root, ".staging-")), madeRoot);
  }

  /**
   * Another thread's view of a staging folder: it may `add` files, and the
   * stage that opened the folder `adopt`s them and commits.
   */
  static attach(stagingDir: string): OutputStage {
    return new OutputStage(dirname(stagingDir), stagingDir);
  }

  /** The staging folder, for another thread to `attach` to. */
  get dir(): string {
    return this.#staging;
  }

  /** Files another thread added to this staging folder. */
  adopt(paths: readonly string[]): void {
    this.#paths.push(...paths);
  }

  add(file: OutputFile): void {
    const target = safeTarget(this.#staging, file.path);
    this.#mkdir(dirname(target));
    const { contents } = file;
    if (typeof contents === "string" || contents instanceof Uint8Array) writeFileSync(target, contents);
    else writePieces(target, contents.parts);
    this.#paths.push(file.path);
  }

  /** Paths added so far, in order. */
  get paths(): readonly string[] {
    return this.#paths;
  }

  /**
   * Moves every staged file into place, then removes `remove` (outputs of an
   * earlier build this one no longer makes). A staged folder with no
   * counterpart in `out/` yet (every folder of a first build, a new issue's)
   * is moved whole: one rename instead of one per file.
   */
  commit(options: { remove?: readonly string[] } = {}): { written: string[] } {
    const written: string[] = [];
    const moved = new Set<string>();
    const present = new Map<string, boolean>([["", true]]);
    const existsInRoot = (folder: string) => {
      let known = present.get(folder);
      if (known === undefined) present.set(folder, (known = existsSync(join(this.#root, folder))));
      return known;
    };
    try {
      for (const path of this.#paths) {
        const folders = ancestors(path);
        if (folders.some((folder) => moved.has(folder))) {
          written.push(path);
          continue;
        }
        const missing = folders.find((folder) => !existsInRoot(folder));
        if (missing !== undefined) {
          renameSync(safeTarget(this.#staging, missing), safeTarget(this.#root, missing));
          moved.add(missing);
          written.push(path);
          continue;
        }
        const staged = safeTarget(this.#staging, path);
        const target = safeTarget(this.#root, path);
        if (sameBytes(staged, target)) continue;
        renameSync(staged, target);
        written.push(path);
      }
      for (const path of options.remove ?? []) rmSync(safeTarget(this.#root, path), { force: true });
      // A folder left empty (a deleted issue's, a category's that is gone) goes too, as a clean build would not make it.
      const emptied = new Set((options.remove ?? []).flatMap(ancestors));
      for (const folder of [...emptied].sort((a, b) => b.length - a.length)) removeIfEmpty(safeTarget(this.#root, folder));
    } finally {
      this.discard();
    }
    return { written };
  }

  /** Throws the staging folder away; a failed first build leaves no `out/` behind (a committed one has files in it, so it stays). */
  discard(): void {
    rmSync(this.#staging, { recursive: true, force: true });
    if (this.#madeRoot === undefined) return;
    for (let folder = this.#root; ; folder = dirname(folder)) {
      removeIfEmpty(folder);
      if (folder === this.#madeRoot || folder === dirname(folder)) break;
    }
  }

  #mkdir(dir: string): void {
    if (this.#madeDirs.has(dir)) return;
    // A folder whose parent this stage made needs one call; a recursive
    // mkdir looks at every folder above it first (thousands of issue folders).
    const parent = dirname(dir);
    if (this.#madeDirs.has(parent) || parent === this.#staging) {
      try {
        mkdirSync(dir);
      } catch (err) {
        // Made already, by a recursive call for a folder inside it or by the worker thread.
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    } else {
      mkdirSync(dir, { recursive: true });
    }
    this.#madeDirs.add(dir);
  }
}

/** Reused by every file written in pieces: a new buffer for each would be as large as the file (see `TextPieces`). */
let piecesBuffer = Buffer.allocUnsafeSlow(1 << 20);

/** Writes the pieces one after another, each encoded as UTF-8 into one buffer, which goes to the file in one write. */
function writePieces(path: string, parts: readonly string[]): void {
  // Three bytes of UTF-8 at most for each UTF-16 unit (a surrogate pair: four for two).
  let most = 0;
  for (const part of parts) most += part.length * 3;
  if (most > piecesBuffer.length) piecesBuffer = Buffer.allocUnsafeSlow(Math.max(most, piecesBuffer.length * 2));
  let length = 0;
  for (const part of parts) length += piecesBuffer.write(part, length, "utf8");
  const fd = openSync(path, "w");
  try {
    for (let written = 0; written < length; ) written += writeSync(fd, piecesBuffer, written, length - written);
  } finally {
    closeSync(fd);
  }
}

/** Stages every file, then commits: for callers that have all their files at once. */
export function writeOutputs(outDir: string, files: readonly OutputFile[], options: { remove?: readonly string[] } = {}): { written: string[] } {
  const stage = OutputStage.open(outDir);
  try {
    for (const file of files) stage.add(file);
  } catch (err) {
    stage.discard();
    throw err;
  }
  return stage.commit(options);
}

/** The folders above a path, outermost first: `a/b/c.txt` → `a`, `a/b`. */
function ancestors(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // Not empty (other outputs, or files no build makes), or gone already: it stays as it is.
  }
}

function sameBytes(staged: string, target: string): boolean {
  try {
    if (statSync(staged).size !== statSync(target).size) return false;
  } catch {
    return false;
  }
  return readFileSync(staged).equals(readFileSync(target));
}

function safeTarget(root: string, path: string): string {
  const target = resolve(root, path);
  if (relative(root, target).startsWith("..") || !target.startsWith(root + sep)) {
    throw new Error(`refusing to write outside ${root}: ${path}`);
  }
  return target;
}
