// Loads a CommonJS file with V8's compiled code of an earlier run, as Node 22
// does for every module with module.enableCompileCache(); Node 20 has only
// vm.Script's cachedData. The cache is made after the program has run, so it
// holds the functions that run compiled, not just the top level, and it is
// only a shortcut: V8 checks it against the source and its own version and
// flags, and a rejected, missing or unwritable cache means compiling, as
// without one.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";

/**
 * Runs `file` (CommonJS) and returns its exports, what became of the cache
 * ("accepted", "rejected" or "absent"), and `save`, which writes the cache
 * when there was none to use (call it once the program is done).
 */
export function requireWithCodeCache(file, cacheFile) {
  const source = readFileSync(file, "utf8");
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The wrapper Node itself puts around a CommonJS file, on the source's first line so that line numbers stay.
  // No import() inside: Node 20 gives a script import()'s callback (importModuleDynamically), but not
  // one made from the cache; the bundle turns every import() into require() (scripts/bundle.mjs).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const cache = cachedData === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "accepted";
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const save = () => {
    if (cache === "accepted") return;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch {
      // A read-only installation: the next run compiles again.
    }
  };
  return { exports: module.exports, cache, save };
}

/** Where the CLI's cache is kept, for the package at `root`: beside the compiled newsletter template, per Node version. */
export function cliCodeCacheFile(root) {
  return join(root, "node_modules", ".cache", "letterpress", `cli-${process.version}.v8-cache`);
}
