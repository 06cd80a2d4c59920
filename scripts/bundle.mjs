// Bundles the compiled CLI (dist/) into dist/bundle/: what bin/letterpress.js runs.
//
// Why: Node 20 loads an ES module graph file by file (resolve, read, compile,
// link), and the CLI's graph is over 400 files with its libraries (date-fns,
// zod, yaml and markdown-it alone are hundreds). Measured on a 3,679-issue
// archive: an unchanged rebuild took 1.21 s unbundled and 0.88 s bundled, and
// a daily build's budget is 1.5 s from process start (issue 6).
//
// One file per thread, CommonJS: the CLI and the render worker
// (worker-thread.ts finds it beside the code that starts it). CommonJS
// because Node 20 can keep V8's compiled code of a script between runs
// (vm.Script's cachedData; bin/code-cache.js) but not of an ES module. On
// the ten-year archive a new daily issue's build took 1.47 s with the ES
// module bundle split by command and 1.39 s with this file and a cache of
// what such a build ran (medians of 8 runs, alternated); one ES module file
// with every command's code was slower than the split one (1.61 s to
// 1.53 s).
// Left out: better-sqlite3 (a native addon), mjml (imported only when a
// template changed, and it loads its components by name) and nodemailer
// (send replaces its dot-stuffing transform, src/deliver/transports/
// dot-stuffing.ts, in the module its pool imports: one copy, not two).
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliCodeCacheFile } from "../bin/code-cache.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * zod's namespace carries its error messages in 50 languages (`z.locales`,
 * 360 KB, half of zod's code) for a program to switch to; letterpress keeps
 * the default, English (which zod imports on its own), and never switches.
 * Leaving the others out of the bundle saves parsing them on every command,
 * as bundlers commonly do with moment's locales.
 */
const onlyEnglishZodMessages = {
  name: "only-english-zod-messages",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: "zod-locales", namespace: "only-english" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "only-english" }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(root, "node_modules/zod/v4/locales/en.js"))};`,
      resolveDir: root,
    }));
  },
};
const outdir = join(root, "dist", "bundle");
await rm(outdir, { recursive: true, force: true });
for (const [entry, outfile] of [
  ["dist/cli/main.js", "main.cjs"],
  ["dist/build/render-worker.js", "render-worker.cjs"],
]) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(outdir, outfile),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["better-sqlite3", "mjml", "nodemailer"],
    // The sources ask import.meta.url where they are (the templates, the worker's entry, package.json);
    // import.meta.resolve is an ES module's, and the sources fall back to require.resolve without it.
    define: { "import.meta.url": "letterpressModuleUrl", "import.meta.resolve": "undefined" },
    // import() becomes require(): in Node 20 a script made from V8's cache (bin/code-cache.js) loses
    // the callback import() needs, and the libraries imported on demand (mjml) are CommonJS anyway.
    supported: { "dynamic-import": false },
    banner: { js: "const letterpressModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: "warning",
    plugins: [onlyEnglishZodMessages],
  });
}

// The CLI's cache of compiled code (bin/code-cache.js) is made by the first
// run of a new bundle and holds what that run compiled. Made here, by the
// daily build of the sample issues (one new issue beside those built
// before), it holds what that build runs, whatever command a user or a test
// runs first.
const scratch = await mkdtemp(join(tmpdir(), "letterpress-warm-"));
try {
  await cp(join(root, "issues"), join(scratch, "issues"), { recursive: true });
  await writeFile(join(scratch, "config.json"), JSON.stringify({ site: { url: "https://example.org/digest/" } }));
  const build = () =>
    execFileSync(process.execPath, [join(root, "bin/letterpress.js"), "build", "--issues", join(scratch, "issues"), "--out", join(scratch, "out"), "--config", join(scratch, "config.json")], { stdio: "ignore" });
  build();
  await rm(cliCodeCacheFile(root), { force: true });
  const newest = (await readdir(join(scratch, "issues"))).filter((name) => /^\d{4}-\d\d-\d\d\.txt$/u.test(name)).sort().at(-1);
  await cp(join(scratch, "issues", newest), join(scratch, "issues", "2999-12-31.txt"));
  build();
} finally {
  await rm(scratch, { recursive: true, force: true });
}
