import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../../config/schema.js";
import { createTransport } from "../../deliver/transport.js";
import { resolveMessageSettings, type DkimKey } from "../../deliver/message.js";
import { formatSummary, retryPolicy, sendIssue, type SendSummary } from "../../deliver/send.js";
import { ConfigError, InputError } from "../../errors.js";
import type { Issue } from "../../model/issue.js";
import { listDigests, listImages, parseDigestFile } from "../../parse/index.js";
import { renderNewsletter } from "../../render/email.js";
import { openDatabase } from "../../subscribers/store.js";
import type { Output } from "../output.js";
import { importSubscribersFile } from "./subscribers.js";

export interface SendCommandOptions {
  /** `YYYY-MM-DD` or `latest`. */
  which: string;
  issuesDir: string;
  config: Config;
  out: Output;
  /** A CSV imported before sending. */
  subscribersCsv?: string | undefined;
  dryRun?: boolean;
  /** Messages per second, over `send.rate`. */
  rate?: number | undefined;
}

/**
 * `letterpress send`, and what `npm start` calls. Order: load and pick the
 * issue, render the newsletter once, open the database (importing the CSV if
 * given), then `sendIssue`, then print the summary. Returns the summary;
 * the caller decides what an incomplete send means (the CLI: exit 2).
 */
export async function runSend(options: SendCommandOptions): Promise<SendSummary> {
  const { config, out } = options;
  const issue = await loadIssueToSend(options.issuesDir, options.which);
  const content = await renderNewsletter(issue, config);
  const dkim = await readDkimKey(config);
  const settings = resolveMessageSettings(config, dkim);

  const db = openDatabase(config.database);
  try {
    if (options.subscribersCsv) await importSubscribersFile(db, options.subscribersCsv, out);
    const transport = createTransport(config.transport, config);
    try {
      out.info(`${options.dryRun ? "dry run: " : ""}sending issue ${issue.date} through ${transport.name}`);
      for (const notice of (await transport.notices?.()) ?? []) out.warn(notice);
      const summary = await sendIssue({
        content,
        db,
        transport,
        settings,
        out,
        dryRun: Boolean(options.dryRun),
        ...retryPolicy(config),
        rate: options.rate ?? config.send.rate,
      });
      for (const line of formatSummary(summary)) out.info(line);
      return summary;
    } finally {
      await transport.close();
    }
  } finally {
    db.close();
  }
}

/**
 * Reads only the issue to send (`latest`: the newest file), not the whole
 * archive. An issue with errors is not sent, and `latest` does not fall
 * back to an older issue: the editor is told what to fix.
 */
async function loadIssueToSend(issuesDir: string, which: string): Promise<Issue> {
  if (which !== "latest" && !/^\d{4}-\d{2}-\d{2}$/u.test(which)) throw new InputError(`expected a date YYYY-MM-DD or \`latest\`, got ${JSON.stringify(which)}`);
  const found = await listDigests(issuesDir);
  const digest = which === "latest" ? found.digests.at(-1) : found.digests.find((d) => d.date === which);
  if (!digest) {
    const relevant = found.diagnostics.filter((d) => d.severity === "error" && (which === "latest" || d.where.file.includes(which)));
    throw new InputError(
      which === "latest" ? `no issue to send in ${issuesDir}` : `no issue dated ${which} in ${issuesDir} (or its file name is wrong; \`letterpress check\` lists the problems)`,
      relevant,
    );
  }
  const parsed = parseDigestFile(digest, found.folders.has(digest.date) ? listImages(join(issuesDir, digest.date)) : []);
  if (!parsed.issue) throw new InputError(`${digest.file} has errors, so it is not sent: fix them first`, parsed.diagnostics.filter((d) => d.severity === "error"));
  return parsed.issue;
}

async function readDkimKey(config: Config): Promise<DkimKey | undefined> {
  if (!config.dkim) return undefined;
  try {
    const privateKey = await readFile(config.dkim.privateKeyFile, "utf8");
    return { domainName: config.dkim.domainName, keySelector: config.dkim.keySelector, privateKey };
  } catch (cause) {
    throw new ConfigError(`dkim.privateKeyFile: cannot read ${config.dkim.privateKeyFile}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}

