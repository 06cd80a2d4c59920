import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript beside the CLI's entry, without types
import { requireWithCodeCache } from "../../bin/code-cache.js";

type Loaded = { exports: { answer(): number; where(): string }; cache: "absent" | "accepted" | "rejected"; save(): void };
const load = requireWithCodeCache as (file: string, cacheFile: string) => Loaded;

/** bin/letterpress.js loads the bundle with V8's compiled code of an earlier run. */
describe("loading with a code cache", () => {
  async function module(dir: string, body: string): Promise<string> {
    const file = join(dir, "module.cjs");
    await writeFile(file, `"use strict";\n${body}\nexports.where = () => __filename;\n`);
    return file;
  }

  it("runs the file as CommonJS, makes the cache once, then uses it; a changed file's cache is rejected and made again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-code-cache-"));
    const cacheFile = join(dir, "cache", "module.v8-cache");
    const file = await module(dir, `const { join } = require("node:path");\nexports.answer = () => join("a", "b").length * 21;`);

    const first = load(file, cacheFile);
    expect(first.cache).toBe("absent");
    expect(first.exports.answer()).toBe(63);
    expect(first.exports.where()).toBe(file);
    first.save();
    expect((await stat(cacheFile)).size).toBeGreaterThan(0);

    const second = load(file, cacheFile);
    expect(second.cache).toBe("accepted");
    expect(second.exports.answer()).toBe(63);
    const saved = await readFile(cacheFile);
    second.save();
    expect(await readFile(cacheFile)).toEqual(saved);

    await module(dir, "exports.answer = () => 42;");
    const changed = load(file, cacheFile);
    expect(changed.cache).toBe("rejected");
    expect(changed.exports.answer()).toBe(42);
    changed.save();
    expect(load(file, cacheFile).cache).toBe("accepted");
  });

  it("runs without a cache where none can be written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-code-cache-"));
    const file = await module(dir, "exports.answer = () => 7;");
    // A file where the cache's folder would be: no folder can be made there, whoever runs the test.
    await writeFile(join(dir, "not-a-folder"), "");
    const cacheFile = join(dir, "not-a-folder", "module.v8-cache");
    const loaded = load(file, cacheFile);
    expect(loaded.exports.answer()).toBe(7);
    expect(() => loaded.save()).not.toThrow();
    expect(load(file, cacheFile).cache).toBe("absent");
  });
});
