import { existsSync } from "node:fs";
import { cp, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { startFaultSmtpServer } from "./fault-smtp-server.js";
import { SECRET, SITE_URL, recordOutput, withTempDir } from "./fixtures.js";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");
const issuesDir = join(repoRoot, "issues");
const sampleCsv = join(repoRoot, "subscribers.sample.csv");

async function writeConfig(dir: string): Promise<string> {
  const file = join(dir, "letterpress.config.json");
  await writeFile(
    file,
    JSON.stringify({
      site: { title: "Test Digest", url: SITE_URL },
      email: { from: "Test Digest <digest@example.org>" },
      secret: SECRET,
      send: { retries: 1, backoffMs: 5, maxBackoffMs: 10 },
    }),
  );
  return file;
}

describe("letterpress send (the command)", () => {
  it("imports the CSV, sends once per subscriber, exits 0, and sends nothing more the second time", async () => {
    await withTempDir(async (dir) => {
      const config = await writeConfig(dir);
      const db = join(dir, "db.sqlite");
      const mailbox = join(dir, "mailbox");
      const args = ["node", "letterpress", "send", "latest", "--issues", issuesDir, "--config", config, "--db", db, "--smtp", `capture://${mailbox}`];
      const out = recordOutput();
      expect(await main([...args, "--subscribers", sampleCsv], out), out.lines.join("\n")).toBe(0);
      const handle = openDatabase(db);
      const subscribers = new SubscriberStore(handle).list();
      handle.close();
      expect((await readdir(mailbox)).filter((f) => f.endsWith(".eml"))).toHaveLength(subscribers.length);
      expect(out.lines.some((l) => l.includes(`sent ${subscribers.length},`))).toBe(true);

      const again = recordOutput();
      expect(await main(args, again)).toBe(0);
      expect(again.lines.some((l) => l.includes(`sent 0, already sent before ${subscribers.length}`))).toBe(true);
      expect((await readdir(mailbox)).filter((f) => f.endsWith(".eml"))).toHaveLength(subscribers.length);
    });
  });

  it("--dry-run sends nothing; a permanent failure exits 2 and names the address", async () => {
    await withTempDir(async (dir) => {
      const config = await writeConfig(dir);
      const db = join(dir, "db.sqlite");
      const server = await startFaultSmtpServer({ rcptReply: (address) => (address === "grace@example.org" ? { code: 550, message: "5.1.1 unknown user" } : undefined) });
      try {
        const base = ["node", "letterpress", "send", "latest", "--issues", issuesDir, "--config", config, "--db", db, "--smtp", server.url, "--subscribers", sampleCsv];
        const dry = recordOutput();
        expect(await main([...base, "--dry-run"], dry)).toBe(0);
        expect(dry.lines.filter((l) => l.startsWith("would send to")).length).toBeGreaterThanOrEqual(4);
        expect(server.received).toHaveLength(0);

        const out = recordOutput();
        expect(await main([...base, "--rate", "100"], out)).toBe(2);
        expect(out.lines.join("\n")).toContain("failed grace@example.org: 550 5.1.1 unknown user (suppressed)");
        expect(out.lines.at(-1)).toMatch(/^1 of \d+ subscribers do not have issue \d{4}-\d{2}-\d{2} yet/u);
      } finally {
        await server.close();
      }
    });
  });

  it("exits 1 for an issue that does not exist or a bad transport", async () => {
    await withTempDir(async (dir) => {
      const config = await writeConfig(dir);
      const db = join(dir, "db.sqlite");
      const out = recordOutput();
      expect(await main(["node", "letterpress", "send", "1999-01-01", "--issues", issuesDir, "--config", config, "--db", db], out)).toBe(1);
      expect(out.lines.join("\n")).toContain("no issue dated 1999-01-01");
      const bad = recordOutput();
      expect(await main(["node", "letterpress", "send", "latest", "--issues", issuesDir, "--config", config, "--db", db, "--smtp", "ftp://x"], bad)).toBe(1);
      expect(bad.lines.join("\n")).toContain("transport: unknown transport");
    });
  });
  it("does not send `latest` when the newest issue has errors, nor fall back to an older one", async () => {
    await withTempDir(async (dir) => {
      const config = await writeConfig(dir);
      const issues = join(dir, "issues");
      await cp(issuesDir, issues, { recursive: true });
      await writeFile(join(issues, "2021-01-04.txt"), "1、[LG] A title\nAn Author\n[Somewhere]\nA body with no link at all.\n");
      const mailbox = join(dir, "mailbox");
      const out = recordOutput();
      const args = ["node", "letterpress", "send", "latest", "--issues", issues, "--config", config, "--db", join(dir, "db.sqlite"), "--smtp", `capture://${mailbox}`, "--subscribers", sampleCsv];
      expect(await main(args, out)).toBe(1);
      expect(out.lines.join("\n")).toMatch(/2021-01-04\.txt has errors, so it is not sent/u);
      expect(out.lines.join("\n")).toMatch(/2021-01-04\.txt:\d+: .*no link/u);
      expect(existsSync(mailbox)).toBe(false);
    });
  });
});

describe("letterpress subscribers", () => {
  it("imports, adds, removes and lists", async () => {
    await withTempDir(async (dir) => {
      const config = await writeConfig(dir);
      const db = join(dir, "db.sqlite");
      const csv = join(dir, "list.csv");
      await writeFile(csv, 'email,name\nann@example.org,Ann\nnot-an-address,X\nANN@example.org,\n"zhang@example.com","张三, ""Sam"""\n');
      const run = async (...args: string[]) => {
        const out = recordOutput();
        const code = await main(["node", "letterpress", "subscribers", ...args, "--db", db, "--config", config], out);
        return { code, text: out.lines.join("\n") };
      };
      const imported = await run("import", csv);
      expect(imported.code).toBe(0);
      expect(imported.text).toContain(`${csv}:3: "not-an-address" is not a valid address; the row was skipped`);
      expect(imported.text).toContain(`${csv}:4: warning: ANN@example.org is already on line 2; merged into it`);
      expect(imported.text).toContain("2 subscribers added, 0 updated, 1 bad row skipped, 1 duplicate merged");
      expect((await run("add", "bob@example.org", "--name", "Bob")).text).toBe("added bob@example.org");
      expect((await run("add", "nope")).code).toBe(1);
      expect((await run("remove", "ann@example.org")).code).toBe(0);
      expect((await run("remove", "nobody@example.org")).code).toBe(1);
      const listed = await run("list");
      expect(listed.text.split("\n")).toEqual([
        "ann@example.org\tAnn\tunsubscribed\tremoved by the editor",
        "bob@example.org\tBob\tactive",
        'zhang@example.com\t张三, "Sam"\tactive',
        "3 subscribers, 2 active",
      ]);
    });
  });
});
