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

/**
 * The delivery ledger: one row per issue and recipient, in the subscribers'
 * database. Each write is its own committed transaction, so what a killed
 * process wrote last is what the next run reads.
 */
export class Ledger {
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
