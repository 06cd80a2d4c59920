import { mkdir, mkdtemp, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCompiledTemplate, writeCompiledTemplate } from "../../src/render/compiled-cache.js";

const key = (i: number) => i.toString(16).padStart(32, "0");
const name = (i: number) => `newsletter-${key(i)}.html`;

/** Entries 0…count-1, entry i last used i minutes after an hour ago (0 is the least recently used). */
async function cacheWith(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "letterpress-compiled-cache-"));
  const hourAgo = Date.now() / 1000 - 3600;
  for (let i = 0; i < count; i++) {
    await writeFile(join(dir, name(i)), `<p>template ${i}</p>`);
    await utimes(join(dir, name(i)), hourAgo + i * 60, hourAgo + i * 60);
  }
  return dir;
}

describe("the compiled-template cache", () => {
  it("gives back what was written, and nothing for a key never written", async () => {
    const dir = join(await cacheWith(0), "not-yet-made");
    expect(await readCompiledTemplate(dir, key(1))).toBeUndefined();
    await writeCompiledTemplate(dir, key(1), "<p>héllo {{ title }}</p>");
    expect(await readCompiledTemplate(dir, key(1))).toBe("<p>héllo {{ title }}</p>");
    expect(await readdir(dir)).toEqual([name(1)]);
  });

  it("keeps the most recently used entries when it adds one: a read counts as use; other files stay", async () => {
    const dir = await cacheWith(6);
    await writeFile(join(dir, `${name(99)}.1234.tmp`), "another process, writing");
    await mkdir(join(dir, "elsewhere"));
    // Entry 0 is the oldest, but read now: it stays, and 1 and 2 go.
    expect(await readCompiledTemplate(dir, key(0))).toBe("<p>template 0</p>");
    expect((await stat(join(dir, name(0)))).mtimeMs).toBeGreaterThan((await stat(join(dir, name(5)))).mtimeMs);

    await writeCompiledTemplate(dir, key(6), "<p>template 6</p>", 5);

    expect((await readdir(dir)).sort()).toEqual([name(0), name(3), name(4), name(5), name(6), `${name(99)}.1234.tmp`, "elsewhere"].sort());
    expect(await readCompiledTemplate(dir, key(6))).toBe("<p>template 6</p>");
  });

  it("removes nothing while it holds no more than it keeps", async () => {
    const dir = await cacheWith(4);
    await writeCompiledTemplate(dir, key(4), "<p>template 4</p>", 5);
    expect((await readdir(dir)).sort()).toEqual([0, 1, 2, 3, 4].map(name).sort());
  });

  it("is only a shortcut: a folder it cannot write is no error", async () => {
    const dir = await cacheWith(0);
    const file = join(dir, "a-file");
    await writeFile(file, "not a folder");
    await expect(writeCompiledTemplate(join(file, "cache"), key(1), "<p></p>")).resolves.toBeUndefined();
    expect(await readCompiledTemplate(join(file, "cache"), key(1))).toBeUndefined();
  });
});
