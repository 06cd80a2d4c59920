import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/deliver/ledger.js";
import type { SendSummary } from "../../src/deliver/send.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { copiesByRecipient, messageIdOf, startFaultSmtpServer } from "./fault-smtp-server.js";
import { ensureCompiled } from "../support/compiled.js";
import { SECRET, SITE_URL, newsletterFixture, withTempDir } from "./fixtures.js";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
const child = join(repoRoot, "tests/deliver/fixtures/send-child.mjs");

// The child runs the compiled code.
beforeAll(() => ensureCompiled("dist/deliver/send.js"), 120_000);

function runChild(args: object, onSpawn?: (kill: () => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [child, JSON.stringify(args)], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    proc.on("error", fail);
    proc.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
    onSpawn?.(() => proc.kill("SIGKILL"));
  });
}

describe("a send killed mid-way resumes with send again", () => {
  it("SIGKILL while the server is slow to confirm: nothing confirmed is sent twice, the in-flight go again with the same Message-ID, none is missing", async () => {
    await withTempDir(async (dir) => {
      const server = await startFaultSmtpServer({ confirmDelayMs: 150 });
      try {
        const database = join(dir, "db.sqlite");
        const subscribers = Array.from({ length: 24 }, (_, i) => `reader${String(i).padStart(2, "0")}@example.org`);
        const db = openDatabase(database);
        new SubscriberStore(db).importSubscribers(subscribers.map((email) => ({ email })));
        db.close();
        const args = {
          config: {
            site: { url: SITE_URL },
            secret: SECRET,
            database,
            transport: server.url,
            smtp: { maxConnections: 3, connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 5000 },
            send: { retries: 3, backoffMs: 10, maxBackoffMs: 50 },
          },
          content: newsletterFixture(),
        };

        // First run: killed once a handful are confirmed and the server holds
        // others it has received but not yet confirmed.
        const first = await runChild(args, (kill) => {
          void (async () => {
            while (server.received.length < 6 || server.awaitingConfirmation < 2) await delay(2);
            kill();
          })();
        });
        expect(first.signal).toBe("SIGKILL");
        // Let the server finish confirming what it had fully received when the client died.
        await delay(400);

        const afterKill = openDatabase(database);
        const rows = [...new Ledger(afterKill).deliveries("2020-10-30").values()];
        afterKill.close();
        const confirmedToClient = rows.filter((r) => r.status === "sent").map((r) => r.email);
        const inFlight = rows.filter((r) => r.status === "sending").map((r) => r.email);
        expect(confirmedToClient.length).toBeGreaterThanOrEqual(3);
        expect(confirmedToClient.length).toBeLessThan(subscribers.length);
        expect(inFlight.length).toBeGreaterThan(0);
        // At most one `sending` row per message handed over: 3 connections,
        // each with two more waiting in the pool's queue (smtp.ts `pipeline`).
        // Those queued never left; only those on the wire, or confirmed in the
        // last few milliseconds before their group commit, can arrive twice.
        expect(inFlight.length).toBeLessThanOrEqual(9);

        // Second run: completes.
        const second = await runChild(args);
        expect(second.code, second.stderr).toBe(0);
        const summary = JSON.parse(second.stdout.trim().split("\n").at(-1)!) as SendSummary;
        expect(summary.complete).toBe(true);
        expect(summary.alreadySent).toBe(confirmedToClient.length);
        expect(summary.resent).toBe(inFlight.length);
        expect(summary.sent).toBe(subscribers.length - confirmedToClient.length);

        const copies = copiesByRecipient(server.received);
        for (const email of subscribers) {
          const got = copies.get(email) ?? [];
          expect(got.length, `${email} is missing`).toBeGreaterThanOrEqual(1);
          // Every copy of one recipient's message carries one Message-ID.
          expect(new Set(got.map((m) => messageIdOf(m.raw))).size, email).toBe(1);
        }
        // What the client saw confirmed is never sent again.
        for (const email of confirmedToClient) expect(copies.get(email), email).toHaveLength(1);
        // Only the in-flight few may have arrived twice.
        const twice = subscribers.filter((email) => (copies.get(email)?.length ?? 0) > 1);
        for (const email of twice) expect(inFlight).toContain(email);
        for (const email of subscribers.filter((e) => !inFlight.includes(e))) expect(copies.get(email), email).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
  });
});
