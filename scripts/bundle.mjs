// Bundles the compiled CLI (dist/) into dist/bundle/: what bin/letterpress.js runs.
//
// Why: Node 20 loads an ES module graph file by file (resolve, read, compile,
// link), and the CLI's graph is over 400 files with its libraries (date-fns,
// zod, yaml and markdown-it alone are hundreds). Measured on a 3,679-issue
// archive: an unchanged rebuild took 1.21 s unbundled and 0.88 s bundled, and
// a daily build's budget is 1.5 s from process start (issue 6).
//
// One entry per thread: the CLI and the render worker (worker-thread.ts finds
// it beside the code that starts it, so entries and chunks share one folder).
// Commands' dynamic imports stay separate chunks, loaded when a command runs.
// Left out: better-sqlite3 (a native addon), mjml (imported only when a
// template changed, and it loads its components by name) and nodemailer
// (send replaces its dot-stuffing transform, src/deliver/transports/
// dot-stuffing.ts, in the module its pool imports: one copy, not two).
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
await build({
  entryPoints: [join(root, "dist/cli/main.js"), join(root, "dist/build/render-worker.js")],
  outdir,
  entryNames: "[name]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "mjml", "nodemailer"],
  // CommonJS libraries inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as letterpressCreateRequire } from 'node:module'; const require = letterpressCreateRequire(import.meta.url);" },
  logLevel: "warning",
  plugins: [onlyEnglishZodMessages],
});
