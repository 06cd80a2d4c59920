import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The disk cache of compiled newsletter templates
 * (`node_modules/.cache/letterpress/newsletter-KEY.html`), so that a build
 * whose templates did not change never imports MJML. The key covers the
 * template files and the MJML and LiquidJS versions, so every edit of a
 * template adds an entry (about 15 KB): the cache keeps the most recently
 * used `COMPILED_KEEP` and removes the others when it adds one. Used means
 * read or written; a read marks its entry with the time (its modification
 * time), so templates in use by other projects sharing an installation stay.
 *
 * A cache is only a shortcut: a folder that cannot be read or written just
 * means compiling again.
 */
export const COMPILED_KEEP = 16;

const ENTRY_NAME = /^newsletter-[0-9a-f]+\.html$/u;

function entryFile(dir: string, key: string): string {
  return join(dir, `newsletter-${key}.html`);
}

export async function readCompiledTemplate(dir: string, key: string): Promise<string | undefined> {
  const file = entryFile(dir, key);
  const html = await readFile(file, "utf8").catch(() => undefined);
  if (html !== undefined) {
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
  }
  return html;
}

export async function writeCompiledTemplate(dir: string, key: string, html: string, keep = COMPILED_KEEP): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const file = entryFile(dir, key);
    // Written aside and renamed: another process never reads half an entry.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, html);
    await rename(temporary, file);
    await removeLeastRecentlyUsed(dir, keep);
  } catch {
    // A read-only installation: nothing to do.
  }
}

/** Only the cache's own entries: another process's temporary file, or anything else in the folder, is left alone. */
async function removeLeastRecentlyUsed(dir: string, keep: number): Promise<void> {
  const names = (await readdir(dir)).filter((name) => ENTRY_NAME.test(name));
  if (names.length <= keep) return;
  const entries = await Promise.all(names.map(async (name) => ({ name, used: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  entries.sort((a, b) => b.used - a.used);
  await Promise.all(entries.slice(keep).map(({ name }) => rm(join(dir, name), { force: true })));
}
