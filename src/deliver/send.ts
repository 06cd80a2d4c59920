import { setTimeout as delay } from "node:timers/promises";
import type { Config } from "../config/schema.js";
import type { Output } from "../output.js";
import { createProgress } from "../progress.js";
import type { NewsletterContent } from "../render/newsletter.js";
import type { Db } from "../subscribers/store.js";
import { SubscriberStore, type Subscriber } from "../subscribers/store.js";
import { GroupCommit, Ledger } from "./ledger.js";
import { messageIdFor, type MessageSettings } from "./message.js";
import { createMessageTemplate } from "./template.js";
import type { Transport } from "./transport.js";

/**
 * `temporary`: try again later (4xx, a dropped or refused connection, a
 * time-out). `permanent`: this recipient will never take it (5xx to RCPT TO
 * or DATA); the address is suppressed. `fatal`: nothing will go through
 * (authentication, TLS, the sender refused); the send stops, and no address
 * is blamed.
 */
export type FailureKind = "temporary" | "permanent" | "fatal";

export interface FailureClass {
  kind: FailureKind;
  reason: string;
  /** The server asks us to slow down (RFC 3463 4.7.x, 421, 454, or says so). */
  throttle: boolean;
  /** No reply was read: the server may have taken the message before the line went dead. */
  noReply: boolean;
}

const CONNECTION_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "ECONNRESET", "ECONNREFUSED", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "EDNS", "ENOTFOUND"]);
const NEVER_CONNECTED_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "EDNS"]);
const FATAL_CODES = new Set(["EAUTH", "ETLS", "ENOAUTH", "EOAUTH2"]);
const THROTTLE_TEXT = /throttl|rate limit|too many|slow down|try again later|4\.7\.\d/iu;

/** Reads the `responseCode`, `code` and `command` Nodemailer puts on its errors. */
export function classifyFailure(err: unknown): FailureClass {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; originalCode?: unknown; command?: unknown; response?: unknown; message?: unknown };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const code = typeof e.code === "string" ? e.code : undefined;
  const command = typeof e.command === "string" ? e.command.toUpperCase() : "";
  const text = typeof e.response === "string" ? e.response : typeof e.message === "string" ? e.message : String(err);
  const reason = (typeof e.response === "string" ? e.response : text).replace(/\s+/gu, " ").trim();
  if (code && FATAL_CODES.has(code)) return { kind: "fatal", reason, throttle: false, noReply: false };
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) {
    return { kind: "temporary", reason, throttle: responseCode === 421 || responseCode === 454 || THROTTLE_TEXT.test(text), noReply: false };
  }
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
    // Only a refusal of this recipient or this message blames the address; a
    // 5xx to the greeting, EHLO, AUTH or MAIL FROM is about us or the server.
    const aboutRecipient = command === "" || command.startsWith("RCPT") || command.startsWith("DATA") || command === "END" || code === "EENVELOPE" || code === "EMESSAGE";
    const aboutSender = command.startsWith("MAIL") || command === "CONN" || command.startsWith("EHLO") || command.startsWith("HELO") || command.startsWith("AUTH");
    return { kind: aboutRecipient && !aboutSender ? "permanent" : "fatal", reason, throttle: false, noReply: false };
  }
  // Never connected: certainly not delivered. Nodemailer keeps the system's code as `originalCode`.
  const systemCode = typeof e.originalCode === "string" ? e.originalCode : code;
  if (systemCode && NEVER_CONNECTED_CODES.has(systemCode)) return { kind: "temporary", reason, throttle: false, noReply: false };
  // Dropped mid-session: Nodemailer reports every close as command CONN, so
  // whether the message had gone out is unknown; counted as uncertain.
  if (code && CONNECTION_CODES.has(code)) return { kind: "temporary", reason, throttle: false, noReply: true };
  // Anything else (a bug, an unknown error) is retried and never suppresses an address.
  return { kind: "temporary", reason, throttle: false, noReply: true };
}

export interface SendOptions {
  content: NewsletterContent;
  db: Db;
  transport: Transport;
  settings: MessageSettings;
  out: Output;
  dryRun?: boolean;
  /** Messages per second at most. */
  rate?: number | undefined;
  /** Further attempts after a temporary failure. */
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** For tests: the clock and the dice. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The configured retry policy and rate (`send.*`), as `sendIssue` takes them. */
export function retryPolicy(config: Config): Pick<SendOptions, "retries" | "backoffMs" | "maxBackoffMs" | "rate"> {
  return { retries: config.send.retries, backoffMs: config.send.backoffMs, maxBackoffMs: config.send.maxBackoffMs, rate: config.send.rate };
}

export interface FailedRecipient {
  email: string;
  reason: string;
  /** A 5xx: the address is now suppressed. */
  permanent: boolean;
}

export interface SendSummary {
  issue: string;
  /** Active subscribers when the send began. */
  recipients: number;
  /** Confirmed (250) in this run. */
  sent: number;
  /** Confirmed by an earlier run, so not sent again. */
  alreadySent: number;
  /** In flight when an earlier run stopped; sent again with the same Message-ID. */
  resent: number;
  /**
   * Messages sent again after an attempt whose outcome was unknown (in
   * flight at a crash, or the connection died mid-session): a receiver may
   * hold two copies with one Message-ID. An upper bound: a connection that
   * died before DATA is counted too, as Nodemailer cannot tell them apart.
   */
  uncertain: number;
  /** Attempts that were retried after a temporary failure. */
  retries: number;
  /** Times the server asked to slow down. */
  throttled: number;
  skipped: { unsubscribed: number; suppressed: number };
  failed: FailedRecipient[];
  dryRun: boolean;
  /** Every active subscriber has the issue. */
  complete: boolean;
}

/** Subscribers read from the database at a time. */
const PAGE_SIZE = 500;
const DRY_RUN_SHOWN = 50;

interface Job {
  subscriber: Subscriber;
  /** A row in `sending` state from an earlier run. */
  resend: boolean;
}

/**
 * Delivers one issue to every active subscriber, once. Order:
 * 1. count subscribers; compose the issue's message once (template.ts);
 * 2. read active subscribers a page at a time with this issue's ledger
 *    status, skipping those the server already confirmed;
 * 3. with as many messages handed over as the transport takes (`pipeline`),
 *    for each recipient: wait for the rate limit, splice its message (with
 *    8bit parts once a reply showed the server announced 8BITMIME), commit
 *    `sending` to the ledger (group commit), send, then record `sent`,
 *    `failed` (5xx, and suppress the address) or, after a temporary failure,
 *    back off (exponential, with jitter) and try again, up to `retries`
 *    times, then `deferred` (outcomes are committed in groups within a few
 *    milliseconds, see GroupCommit);
 * 4. return the summary. Throws only for bugs (or a ledger that cannot be written); a partial send is a summary
 *    with `complete: false`.
 */
export async function sendIssue(options: SendOptions): Promise<SendSummary> {
  const { content, transport, settings, out } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  const store = new SubscriberStore(options.db);
  const ledger = new Ledger(options.db);
  const issue = content.date;

  const counts = store.countByStatus();
  const summary: SendSummary = {
    issue,
    recipients: counts.active,
    sent: 0,
    alreadySent: ledger.countSent(issue),
    resent: 0,
    uncertain: 0,
    retries: 0,
    throttled: 0,
    skipped: { unsubscribed: counts.unsubscribed, suppressed: counts.suppressed },
    failed: [],
    dryRun: Boolean(options.dryRun),
    complete: false,
  };

  // Subscribers are read a page at a time, in key order, never all at once:
  // memory stays flat in the size of the list. Those the server already
  // confirmed (counted above) are skipped.
  let afterKey = "";
  let page: Job[] = [];
  let exhausted = false;
  const nextJob = (): Job | undefined => {
    while (page.length === 0 && !exhausted) {
      const rows = ledger.activePage(issue, afterKey, PAGE_SIZE);
      if (rows.length < PAGE_SIZE) exhausted = true;
      if (rows.length > 0) afterKey = rows.at(-1)!.key;
      for (const row of rows) {
        if (row.status !== "sent") page.push({ subscriber: { email: row.email, status: "active", ...(row.name ? { name: row.name } : {}) }, resend: row.status === "sending" });
      }
      page.reverse();
    }
    return page.pop();
  };

  if (options.dryRun) {
    out.info(`dry run: issue ${issue}, subject ${JSON.stringify(content.subject)}, through ${transport.name}`);
    let total = 0;
    for (let job = nextJob(); job; job = nextJob(), total++) {
      if (total >= DRY_RUN_SHOWN) continue;
      const to = job.subscriber.name ? `${job.subscriber.name} <${job.subscriber.email}>` : job.subscriber.email;
      out.info(`would send to ${to} ${messageIdFor(settings, issue, job.subscriber.email)}${job.resend ? " (again: in flight when an earlier send stopped)" : ""}`);
    }
    if (total > DRY_RUN_SHOWN) out.info(`… and ${total - DRY_RUN_SHOWN} more`);
    summary.complete = total === 0;
    return summary;
  }

  // Pacing shared by every worker: `--rate` sets the floor between two
  // starts; a throttling reply widens it and pauses everyone, and each
  // success narrows it again.
  const floorMs = options.rate ? 1000 / options.rate : 0;
  let intervalMs = floorMs;
  let nextStart = 0;
  let pauseUntil = 0;
  const takeSlot = async () => {
    const now = Date.now();
    const start = Math.max(now, nextStart, pauseUntil);
    nextStart = start + intervalMs;
    if (start > now) await sleep(start - now);
  };
  const backoff = (attempt: number) => {
    const ceiling = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };

  // Composed once; each recipient's message is spliced from it.
  const template = await createMessageTemplate(content, settings);
  const pipeline = Math.max(1, transport.pipeline ?? transport.concurrency);
  // A begin waits at most 5 ms for others to share its commit, and never
  // while half the messages handed over wait with it.
  const commits = new GroupCommit(ledger, 5, 256, 5, Math.ceil(pipeline / 2));
  const progress = createProgress(out, summary.recipients - summary.alreadySent, "sent");
  let fatal: string | undefined;
  // 8BITMIME (RFC 6152): known from the first replies (the EHLO of the
  // connection that took a message), so the first few messages go in 7 bits;
  // a server that ever leaves it out gets 7 bits from then on.
  let eightBitSeen = false;
  let eightBitMissing = false;

  const deliver = async (job: Job) => {
    const { subscriber } = job;
    let uncertain = job.resend;
    if (job.resend) summary.resent++;
    for (let attempt = 1; ; attempt++) {
      if (fatal) {
        summary.failed.push({ email: subscriber.email, reason: `not sent: ${fatal}`, permanent: false });
        return;
      }
      await takeSlot();
      const message = await template.compose(subscriber, undefined, { eightBit: eightBitSeen && !eightBitMissing });
      // Committed before the message is handed over (in a group commit with other begins).
      await commits.begin(issue, subscriber.email, message.messageId);
      try {
        const receipt = await transport.send(message);
        if (receipt.eightBitMime === true) eightBitSeen = true;
        else if (receipt.eightBitMime === false) eightBitMissing = true;
        commits.markSent(issue, subscriber.email, receipt.response);
        summary.sent++;
        if (uncertain) summary.uncertain++;
        intervalMs = Math.max(floorMs, intervalMs * 0.9);
        return;
      } catch (err) {
        const failure = classifyFailure(err);
        if (failure.kind === "permanent") {
          commits.markFailed(issue, subscriber.email, failure.reason);
          store.suppress(subscriber.email, `bounced: ${failure.reason}`);
          summary.failed.push({ email: subscriber.email, reason: failure.reason, permanent: true });
          return;
        }
        if (failure.kind === "fatal") {
          commits.markDeferred(issue, subscriber.email, failure.reason);
          fatal ??= failure.reason;
          summary.failed.push({ email: subscriber.email, reason: failure.reason, permanent: false });
          return;
        }
        if (failure.noReply) uncertain = true;
        if (attempt > options.retries) {
          commits.markDeferred(issue, subscriber.email, failure.reason);
          summary.failed.push({ email: subscriber.email, reason: `${failure.reason} (after ${attempt} attempts)`, permanent: false });
          return;
        }
        summary.retries++;
        const wait = backoff(attempt);
        if (failure.throttle) {
          summary.throttled++;
          intervalMs = Math.min(options.maxBackoffMs, Math.max(intervalMs * 2, options.backoffMs / 4, 1));
          pauseUntil = Math.max(pauseUntil, Date.now() + wait);
        }
        await sleep(wait);
      }
    }
  };

  const worker = async () => {
    for (let job = nextJob(); job; job = nextJob()) {
      await deliver(job);
      progress.advance();
    }
  };
  // As many messages handed over at once as the transport keeps busy with
  // (a pool queues a few beyond its connections, so none waits for us).
  try {
    await Promise.all(Array.from({ length: pipeline }, worker));
  } finally {
    commits.close();
  }
  progress.finish();

  summary.complete = summary.failed.length === 0 && summary.sent + summary.alreadySent === summary.recipients;
  return summary;
}

const FAILURES_SHOWN = 100;

/** The summary, a few lines, for people. */
export function formatSummary(summary: SendSummary): string[] {
  const lines = [
    `${summary.dryRun ? "dry run: " : ""}issue ${summary.issue}: ${summary.recipients} active subscribers; ` +
      `sent ${summary.sent}, already sent before ${summary.alreadySent}, failed ${summary.failed.length}; ` +
      `skipped ${summary.skipped.unsubscribed} unsubscribed and ${summary.skipped.suppressed} suppressed`,
  ];
  lines.push(
    `uncertain ${summary.uncertain} (sent again after an attempt with no reply: may arrive twice, with one Message-ID); ` +
      `resent ${summary.resent} that were in flight when an earlier send stopped`,
  );
  if (summary.retries > 0) lines.push(`retried ${summary.retries} times after temporary failures${summary.throttled ? ` (the server throttled ${summary.throttled} times)` : ""}`);
  const shown = summary.failed.slice(0, FAILURES_SHOWN);
  for (const f of shown) lines.push(`  failed ${f.email}: ${f.reason}${f.permanent ? " (suppressed)" : " (will be retried by the next send)"}`);
  if (summary.failed.length > shown.length) lines.push(`  … and ${summary.failed.length - shown.length} more failures (\`letterpress subscribers list\` shows the suppressed)`);
  return lines;
}
