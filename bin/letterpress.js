#!/usr/bin/env node
// The compiled, bundled CLI; `npm install` builds it (the `prepare` script: tsc, then scripts/bundle.mjs).
import { main } from "../dist/bundle/main.js";

process.exitCode = await main(process.argv);
