import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { addressKey, cleanName, isValidAddress } from "./address.js";

export type Db = Database.Database;

/**
 * `active` receives issues; `unsubscribed` asked to stop (one-click or
 * `subscribers remove`); `suppressed` bounced permanently (a 5xx reply).
 */
export type SubscriberStatus = "active" | "unsubscribed" | "suppressed";

export interface Subscriber {
  email: string;
  name?: string;
  status: SubscriberStatus;
  /** Why the address is not active, if it is not. */
  reason?: string;
}

/**
 * Opens (creating) the SQLite database that holds subscribers and the
 * delivery ledger. WAL mode: readers (`serve`) and the writer (`send`) do
 * not block each other, and each commit is durable once `run` returns, so a
 * process killed after a ledger write keeps it.
 */
export function openDatabase(file: string): Db {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(`
    CREATE TABLE IF NOT EXISTS subscribers (
      key        TEXT PRIMARY KEY,
      email      TEXT NOT NULL,
      name       TEXT,
      status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed', 'suppressed')),
      reason     TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
  `);
  return db;
}

interface Row {
  email: string;
  name: string | null;
  status: SubscriberStatus;
  reason: string | null;
}

function toSubscriber(row: Row): Subscriber {
  return { email: row.email, status: row.status, ...(row.name ? { name: row.name } : {}), ...(row.reason ? { reason: row.reason } : {}) };
}

export interface ImportCounts {
  added: number;
  updated: number;
  /** Addresses already unsubscribed or suppressed, left so: an import never resubscribes anyone. */
  keptInactive: number;
}

export class SubscriberStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Adds or updates addresses from an import. An address that unsubscribed or
   * bounced stays inactive: re-importing an old list must not mail people who
   * asked to stop.
   */
  importSubscribers(rows: readonly { email: string; name?: string | undefined }[]): ImportCounts {
    const counts: ImportCounts = { added: 0, updated: 0, keptInactive: 0 };
    const find = this.db.prepare<[string], Row>("SELECT email, name, status, reason FROM subscribers WHERE key = ?");
    const insert = this.db.prepare("INSERT INTO subscribers (key, email, name, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?)");
    const rename = this.db.prepare("UPDATE subscribers SET name = ?, updated_at = ? WHERE key = ?");
    this.db.transaction(() => {
      const at = this.now().toISOString();
      for (const row of rows) {
        const key = addressKey(row.email);
        const name = row.name ? cleanName(row.name) : null;
        const existing = find.get(key);
        if (!existing) {
          insert.run(key, row.email, name, at, at);
          counts.added++;
        } else {
          if (existing.status !== "active") counts.keptInactive++;
          if (name && name !== existing.name) {
            rename.run(name, at, key);
            counts.updated++;
          }
        }
      }
    })();
    return counts;
  }

  /** `subscribers add`: an explicit request, so it reactivates an inactive address. */
  add(email: string, name?: string): "added" | "reactivated" | "unchanged" {
    if (!isValidAddress(email)) throw new RangeError(`${JSON.stringify(email)} is not a valid address`);
    const key = addressKey(email);
    const at = this.now().toISOString();
    const existing = this.db.prepare<[string], Row>("SELECT email, name, status, reason FROM subscribers WHERE key = ?").get(key);
    const clean = name ? cleanName(name) : null;
    if (!existing) {
      this.db.prepare("INSERT INTO subscribers (key, email, name, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?)").run(key, email, clean, at, at);
      return "added";
    }
    this.db.prepare("UPDATE subscribers SET status = 'active', reason = NULL, name = COALESCE(?, name), updated_at = ? WHERE key = ?").run(clean, at, key);
    return existing.status === "active" ? "unchanged" : "reactivated";
  }

  /** Marks an address unsubscribed (kept, so a later import does not bring it back). */
  unsubscribe(email: string, reason = "unsubscribed"): boolean {
    return this.setStatus(email, "unsubscribed", reason);
  }

  /** Marks an address suppressed after a permanent failure. */
  suppress(email: string, reason: string): boolean {
    return this.setStatus(email, "suppressed", reason);
  }

  private setStatus(email: string, status: SubscriberStatus, reason: string): boolean {
    const result = this.db
      .prepare("UPDATE subscribers SET status = ?, reason = ?, updated_at = ? WHERE key = ?")
      .run(status, reason, this.now().toISOString(), addressKey(email));
    return result.changes > 0;
  }

  get(email: string): Subscriber | undefined {
    const row = this.db.prepare<[string], Row>("SELECT email, name, status, reason FROM subscribers WHERE key = ?").get(addressKey(email));
    return row ? toSubscriber(row) : undefined;
  }

  /** How many subscribers are in each state. */
  countByStatus(): Record<SubscriberStatus, number> {
    const counts: Record<SubscriberStatus, number> = { active: 0, unsubscribed: 0, suppressed: 0 };
    for (const row of this.db.prepare<[], { status: SubscriberStatus; n: number }>("SELECT status, COUNT(*) AS n FROM subscribers GROUP BY status").all()) counts[row.status] = row.n;
    return counts;
  }

  /** Every subscriber, by address. */
  list(): Subscriber[] {
    return this.db.prepare<[], Row>("SELECT email, name, status, reason FROM subscribers ORDER BY key").all().map(toSubscriber);
  }
}
