import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { loadConfig } from "../../config/load.js";
import { DeliveryError } from "../../errors.js";
import type { Output } from "../output.js";
import { runBuild } from "./build.js";
import { runSend } from "./send.js";

export interface StartOptions {
  issues: string;
  out: string;
  configFile: string | undefined;
  subscribers: string;
}

/**
 * What `npm start` runs: the editor's whole day on the built-in defaults.
 * Order: build every output (checking each issue; stop on errors), then send
 * the newest issue to the sample subscribers through the configured
 * transport (the capture mailbox by default). Run again, it renders and
 * sends nothing new, and says so.
 */
export async function runStart(options: StartOptions, out: Output): Promise<number> {
  const config = await loadConfig({ file: options.configFile });
  // The build checks every issue it reads (an error stops it before out/
  // changes, with `check`'s messages) and repeats the warnings of those it
  // did not need to read again: a separate `check` would parse the whole
  // archive every day.
  out.info("== build");
  await runBuild({ issues: options.issues, out: options.out, config }, out);
  const shown = (path: string) => relative(process.cwd(), resolve(path)) || ".";
  out.info(`archive: ${shown(`${options.out}/index.html`)} (open it in a browser, or run \`npx letterpress serve\`)`);
  out.info(`newsletters: ${shown(`${options.out}/email`)}/ (HTML and plain text per issue)`);

  out.info("\n== send");
  const csv = existsSync(options.subscribers) ? options.subscribers : undefined;
  if (!csv) out.warn(`${options.subscribers}: not found; sending to the subscribers already in ${config.database}`);
  const summary = await runSend({ which: "latest", issuesDir: options.issues, config, out, subscribersCsv: csv });
  if (summary.sent === 0 && summary.alreadySent === summary.recipients) out.info(`nothing new to send: every subscriber has issue ${summary.issue} already`);
  if (config.transport.startsWith("capture:")) out.info(`messages: ${shown(config.transport.replace(/^capture:(\/\/)?/u, ""))}/ (one .eml per message)`);
  if (!summary.complete) throw new DeliveryError(`issue ${summary.issue} is not with every subscriber yet; run \`npm start\` again to retry`);
  return 0;
}
