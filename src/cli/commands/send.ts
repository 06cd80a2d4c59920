import { readFile } from "node:fs/promises";
import type { Config } from "../../config/schema.js";
import { createTransport } from "../../deliver/transport.js";
import { resolveMessageSettings, type DkimKey } from "../../deliver/message.js";
import { formatSummary, retryPolicy, sendIssue, type SendSummary } from "../../deliver/send.js";
import { ConfigError, InputError } from "../../errors.js";
import type { Issue } from "../../model/issue.js";
import { loadIssues } from "../../parse/index.js";
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
  const { issues, diagnostics } = await loadIssues(options.issuesDir);
  const issue = pickIssue(issues, options.which);
  if (!issue) {
    const relevant = diagnostics.filter((d) => d.severity === "error" && (options.which === "latest" || d.where.file.includes(options.which)));
    throw new InputError(
      options.which === "latest" ? `no issue to send in ${options.issuesDir}` : `no issue dated ${options.which} in ${options.issuesDir} (or it has errors; \`letterpress check\` lists them)`,
      relevant,
    );
  }
  const content = await renderNewsletter(issue, issues, config);
  const dkim = await readDkimKey(config);
  const settings = resolveMessageSettings(config, dkim);

  const db = openDatabase(config.database);
  try {
    if (options.subscribersCsv) await importSubscribersFile(db, options.subscribersCsv, out);
    const transport = createTransport(config.transport, config);
    try {
      out.info(`${options.dryRun ? "dry run: " : ""}sending issue ${issue.date} through ${transport.name}`);
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

function pickIssue(issues: readonly Issue[], which: string): Issue | undefined {
  if (which === "latest") return [...issues].sort((a, b) => a.date.localeCompare(b.date)).at(-1);
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(which)) throw new InputError(`expected a date YYYY-MM-DD or \`latest\`, got ${JSON.stringify(which)}`);
  return issues.find((i) => i.date === which);
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

