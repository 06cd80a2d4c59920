#!/usr/bin/env node
// The compiled, bundled CLI (dist/bundle/main.cjs, which `npm install` builds:
// the `prepare` script runs tsc, then scripts/bundle.mjs), loaded with V8's
// compiled code of an earlier run (code-cache.js): the build of the sample
// issues that scripts/bundle.mjs runs after bundling.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliCodeCacheFile, requireWithCodeCache } from "./code-cache.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = requireWithCodeCache(join(root, "dist/bundle/main.cjs"), cliCodeCacheFile(root));
process.exitCode = await cli.exports.main(process.argv);
cli.save();
