import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { withTempDir } from "../deliver/fixtures.js";

describe("SubscriberStore (SQLite file)", () => {
  it("uses WAL, treats addresses without case, and never lets an import resubscribe someone who left", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "nested/db.sqlite");
      const db = openDatabase(file);
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      const store = new SubscriberStore(db);
      expect(store.importSubscribers([{ email: "Ann@Example.org", name: "Ann" }, { email: "bob@example.org" }])).toEqual({ added: 2, updated: 0, keptInactive: 0 });
      expect(store.get("ann@example.org")).toEqual({ email: "Ann@Example.org", name: "Ann", status: "active" });

      expect(store.unsubscribe("ANN@example.org")).toBe(true);
      store.suppress("bob@example.org", "bounced: 550 no such user");
      expect(store.importSubscribers([{ email: "ann@example.org", name: "Ann B." }, { email: "bob@example.org" }, { email: "cy@example.org" }])).toEqual({ added: 1, updated: 1, keptInactive: 2 });
      expect(store.list().map((s) => [s.email, s.status, s.name ?? null])).toEqual([
        ["Ann@Example.org", "unsubscribed", "Ann B."],
        ["bob@example.org", "suppressed", null],
        ["cy@example.org", "active", null],
      ]);
      expect(store.get("bob@example.org")?.reason).toBe("bounced: 550 no such user");

      // An explicit add is the editor's decision: it reactivates.
      expect(store.add("bob@example.org")).toBe("reactivated");
      expect(store.add("BOB@example.org", "Bob")).toBe("unchanged");
      expect(store.add("dee@example.org", "Dee\r\nBcc: x")).toBe("added");
      expect(store.get("dee@example.org")?.name).toBe("Dee Bcc: x");
      expect(() => store.add("not an address")).toThrow(RangeError);
      expect(store.unsubscribe("nobody@example.org")).toBe(false);
      db.close();

      // The file keeps it all.
      const reopened = openDatabase(file);
      expect(new SubscriberStore(reopened).list().filter((s) => s.status === "active").map((s) => s.email)).toEqual(["bob@example.org", "cy@example.org", "dee@example.org"]);
      reopened.close();
    });
  });
});
