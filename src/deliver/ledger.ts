import type Database from "better-sqlite3";
import type { Db } from "../subscribers/store.js";
import { addressKey } from "../subscribers/address.js";

/**
 * `sending`: written just before the SMTP conversation; still there after a
 * crash means the outcome is unknown. `sent`: the server confirmed (250).
 * `failed`: a permanent failure (5xx). `deferred`: temporary failures
 * outlasted the retries; the next `send` tries again.
 */
export type DeliveryStatus = "sending" | "sent" | "failed" | "deferred";

export interface Delivery {
  issue: string;
  email: string;
  messageId: string;
  status: DeliveryStatus;
  attempts: number;
  response?: string;
  error?: string;
}

interface Row {
  issue: string;
  email: string;
  message_id: string;
  status: DeliveryStatus;
  attempts: number;
  response: string | null;
  error: string | null;
}

/** An active subscriber and where this issue stands with them, from `Ledger.activePage`. */
export interface Pending {
  key: string;
  email: string;
  name?: string;
  /** This issue's ledger status for the address, if any. */
  status?: DeliveryStatus;
}

/**
 * The delivery ledger: one row per issue and recipient, in the subscribers'
 * database. The single-row methods commit at once; `GroupCommit` batches
 * many rows into one transaction for `send`.
 */
export class Ledger {
  private page: Database.Statement<[string, string, number], { key: string; email: string; name: string | null; status: DeliveryStatus | null }> | undefined;
  private readonly begin: Database.Statement;
  private readonly finishStatement: Database.Statement;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS deliveries (
        issue      TEXT NOT NULL,
        key        TEXT NOT NULL,
        email      TEXT NOT NULL,
        message_id TEXT NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'deferred')),
        attempts   INTEGER NOT NULL DEFAULT 0,
        response   TEXT,
        error      TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (issue, key)
      ) STRICT;
    `);
    this.begin = db.prepare(
      `INSERT INTO deliveries (issue, key, email, message_id, status, attempts, updated_at) VALUES (?, ?, ?, ?, 'sending', 1, ?)
       ON CONFLICT (issue, key) DO UPDATE SET status = 'sending', message_id = excluded.message_id, attempts = attempts + 1, updated_at = excluded.updated_at`,
    );
    this.finishStatement = db.prepare("UPDATE deliveries SET status = ?, response = ?, error = ?, updated_at = ? WHERE issue = ? AND key = ?");
  }

  /**
   * Active subscribers in key order after `afterKey`, with this issue's
   * status: one page of a send, read without loading the whole list.
   */
  activePage(issue: string, afterKey: string, limit: number): Pending[] {
    this.page ??= this.db.prepare<[string, string, number], { key: string; email: string; name: string | null; status: DeliveryStatus | null }>(
      `SELECT s.key, s.email, s.name, d.status FROM subscribers s LEFT JOIN deliveries d ON d.issue = ? AND d.key = s.key
       WHERE s.status = 'active' AND s.key > ? ORDER BY s.key LIMIT ?`,
    );
    return this.page.all(issue, afterKey, limit).map((r) => ({ key: r.key, email: r.email, ...(r.name ? { name: r.name } : {}), ...(r.status ? { status: r.status } : {}) }));
  }

  /** Active subscribers the server already confirmed this issue for. */
  countSent(issue: string): number {
    return this.db
      .prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM subscribers s JOIN deliveries d ON d.issue = ? AND d.key = s.key WHERE s.status = 'active' AND d.status = 'sent'")
      .get(issue)!.n;
  }

  /** Every row of one issue, by address key. */
  deliveries(issue: string): Map<string, Delivery> {
    const rows = this.db.prepare<[string], Row>("SELECT issue, email, message_id, status, attempts, response, error FROM deliveries WHERE issue = ?").all(issue);
    return new Map(rows.map((r) => [addressKey(r.email), toDelivery(r)]));
  }

  /** Before the SMTP conversation: the attempt is on record whatever happens next. */
  beginAttempt(issue: string, email: string, messageId: string): void {
    this.begin.run(issue, addressKey(email), email, messageId, this.now().toISOString());
  }

  markSent(issue: string, email: string, response: string): void {
    this.finish(issue, email, "sent", response, null);
  }

  markFailed(issue: string, email: string, error: string): void {
    this.finish(issue, email, "failed", null, error);
  }

  markDeferred(issue: string, email: string, error: string): void {
    this.finish(issue, email, "deferred", null, error);
  }

  private finish(issue: string, email: string, status: DeliveryStatus, response: string | null, error: string | null): void {
    this.finishStatement.run(status, response, error, this.now().toISOString(), issue, addressKey(email));
  }

  /** Runs `write` in one transaction (one commit for many rows). */
  transaction(write: () => void): void {
    this.db.transaction(write)();
  }
}

/**
 * Ledger writes in group commits, for `send`. A `begin` resolves once its
 * `sending` row is committed, so no message leaves before its row exists;
 * the begins of the next `beginDelayMs` share a commit, or as soon as
 * `beginBatch` of them wait (a pool keeps a few messages queued, so the wait
 * costs no throughput; a commit costs about as much as a dozen rows, so
 * fewer, larger ones save CPU: 10,000 messages took ~3,600 commits with 2 ms,
 * ~1,300 with 5 ms and half the pipeline). An outcome
 * (`sent`, `failed`, `deferred`) is queued and committed with the next
 * begins, or within `finishDelayMs`, or at `flush`. What a crash loses is
 * therefore the outcomes of the last few milliseconds: those rows stay
 * `sending`, and the next send sends them again with the same Message-ID and
 * counts them as resent (uncertain), as it does the messages on the wire.
 * WAL with synchronous=NORMAL (openDatabase): a commit survives the process
 * being killed; only a power loss may take the last commits.
 */
export class GroupCommit {
  private queue: (() => void)[] = [];
  private waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private broken: unknown;
  private soon: NodeJS.Timeout | undefined;
  private later: NodeJS.Timeout | undefined;
  /** Commits made, for tests and the curious. */
  commits = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly finishDelayMs = 5,
    private readonly maxQueued = 256,
    private readonly beginDelayMs = 5,
    private readonly beginBatch = 8,
  ) {}

  begin(issue: string, email: string, messageId: string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push(() => this.ledger.beginAttempt(issue, email, messageId));
      this.waiting.push({ resolve, reject });
      if (this.waiting.length >= this.beginBatch) this.flush();
      else this.soon ??= setTimeout(() => this.flush(), this.beginDelayMs);
    });
  }

  markSent(issue: string, email: string, response: string): void {
    this.queueOutcome(() => this.ledger.markSent(issue, email, response));
  }

  markFailed(issue: string, email: string, error: string): void {
    this.queueOutcome(() => this.ledger.markFailed(issue, email, error));
  }

  markDeferred(issue: string, email: string, error: string): void {
    this.queueOutcome(() => this.ledger.markDeferred(issue, email, error));
  }

  private queueOutcome(write: () => void): void {
    this.queue.push(write);
    if (this.queue.length >= this.maxQueued) this.flush();
    else this.later ??= setTimeout(() => this.flush(), this.finishDelayMs);
  }

  /** Commits everything queued, in the order it came. */
  flush(): void {
    if (this.soon) clearTimeout(this.soon);
    if (this.later) clearTimeout(this.later);
    this.soon = undefined;
    this.later = undefined;
    const writes = this.queue;
    const waiting = this.waiting;
    this.queue = [];
    this.waiting = [];
    try {
      if (writes.length > 0) {
        this.ledger.transaction(() => {
          for (const write of writes) write();
        });
        this.commits++;
      }
    } catch (err) {
      // The ledger cannot be written: nothing more may be sent. The begins
      // waiting fail; `flush` at the end of the send rethrows.
      this.broken = err;
      for (const w of waiting) w.reject(err);
      return;
    }
    for (const w of waiting) w.resolve();
  }

  /** The end of a send: commit what is queued; throws if the ledger could not be written. */
  close(): void {
    this.flush();
    if (this.broken) throw this.broken;
  }
}

function toDelivery(r: Row): Delivery {
  return {
    issue: r.issue,
    email: r.email,
    messageId: r.message_id,
    status: r.status,
    attempts: r.attempts,
    ...(r.response ? { response: r.response } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
