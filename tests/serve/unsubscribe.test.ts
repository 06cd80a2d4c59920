import { request } from "node:http";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { resolveMessageSettings } from "../../src/deliver/message.js";
import { sendIssue } from "../../src/deliver/send.js";
import { createTransport } from "../../src/deliver/transport.js";
import { startPreviewServer } from "../../src/serve/server.js";
import { createUnsubscribeToken } from "../../src/deliver/tokens.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { copiesByRecipient, startFaultSmtpServer } from "../deliver/fault-smtp-server.js";
import { SECRET, newsletterFixture, recordOutput, testConfig, withTempDir } from "../deliver/fixtures.js";
import { mkdir } from "node:fs/promises";

/** A raw HTTP request, the path sent exactly as given. */
function http(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: body === undefined ? headers : { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("error", fail);
    req.end(body);
  });
}

describe("one-click unsubscribe, end to end", () => {
  it("the token from a received List-Unsubscribe, POSTed to serve, suppresses exactly that address, and the next issue is not sent to it", async () => {
    await withTempDir(async (dir) => {
      const smtp = await startFaultSmtpServer();
      const outDir = join(dir, "out");
      await mkdir(outDir);
      const config = testConfig(join(dir, "db.sqlite"), { transport: smtp.url });
      const db = openDatabase(config.database);
      const store = new SubscriberStore(db);
      const readers = ["ann@example.org", "bob@example.org", "cy@example.com"];
      store.importSubscribers(readers.map((email) => ({ email })));
      const serve = await startPreviewServer({ outDir, port: 0, secret: SECRET, store });
      try {
        const send = async (date: string) => {
          const transport = createTransport(config.transport, config);
          try {
            return await sendIssue({ content: newsletterFixture(date), db, transport, settings: resolveMessageSettings(config), out: recordOutput(), retries: 1, backoffMs: 5, maxBackoffMs: 10 });
          } finally {
            await transport.close();
          }
        };
        expect((await send("2020-10-30")).sent).toBe(3);

        const bobsMessage = copiesByRecipient(smtp.received).get("bob@example.org")![0]!;
        const mail = await simpleParser(bobsMessage.raw);
        const listUnsubscribeLines = mail.headerLines.filter((h) => h.key === "list-unsubscribe");
        expect(listUnsubscribeLines).toHaveLength(1);
        const listUnsubscribe = listUnsubscribeLines[0]!.line;
        const httpsUri = /<(https:[^>]+)>/u.exec(listUnsubscribe)?.[1];
        expect(httpsUri).toBeDefined();
        const link = new URL(httpsUri!);
        const path = `${link.pathname}${link.search}`;
        const token = link.searchParams.get("token")!;

        // GET only shows a confirm page (mail scanners fetch links) and changes nothing.
        const page = await http(serve.port, "GET", path);
        expect(page.status).toBe(200);
        expect(page.body).toContain('<form method="post"');
        expect(page.body).toContain('name="List-Unsubscribe" value="One-Click"');
        expect(store.get("bob@example.org")?.status).toBe("active");

        // An altered token: 400, nothing changes. Altering the address part, then the signature part.
        const [addressPart, macPart] = token.split(".") as [string, string];
        const otherAddress = Buffer.from("ann@example.org").toString("base64url");
        const flipped = `${macPart.slice(0, 10)}${macPart[10] === "A" ? "B" : "A"}${macPart.slice(11)}`;
        for (const forged of [`${otherAddress}.${macPart}`, `${addressPart}.${flipped}`, `${addressPart}.${macPart}x`, "", "garbage"]) {
          const response = await http(serve.port, "POST", `${link.pathname}?token=${encodeURIComponent(forged)}`, "List-Unsubscribe=One-Click");
          expect(response.status, forged).toBe(400);
          expect((await http(serve.port, "GET", `${link.pathname}?token=${encodeURIComponent(forged)}`)).status).toBe(400);
        }
        expect(store.list().map((s) => s.status)).toEqual(["active", "active", "active"]);

        // A POST without the one-click body is not a one-click request.
        expect((await http(serve.port, "POST", path, "")).status).toBe(400);
        expect(store.get("bob@example.org")?.status).toBe("active");

        // RFC 8058 one-click: POST, that body, no cookie, no CSRF token; 200, no redirect.
        const done = await http(serve.port, "POST", path, "List-Unsubscribe=One-Click");
        expect(done.status).toBe(200);
        expect(done.headers.location).toBeUndefined();
        expect(done.headers["set-cookie"]).toBeUndefined();
        expect(store.list().map((s) => [s.email, s.status])).toEqual([
          ["ann@example.org", "active"],
          ["bob@example.org", "unsubscribed"],
          ["cy@example.com", "active"],
        ]);
        // Again: still 200, still only bob.
        expect((await http(serve.port, "POST", path, "List-Unsubscribe=One-Click")).status).toBe(200);

        const next = await send("2020-10-31");
        expect(next).toMatchObject({ sent: 2, recipients: 2, skipped: { unsubscribed: 1, suppressed: 0 }, complete: true });
        const secondIssue = smtp.received.slice(3);
        expect(secondIssue.flatMap((m) => m.to).sort()).toEqual(["ann@example.org", "cy@example.com"]);
      } finally {
        await serve.close();
        await smtp.close();
        db.close();
      }
    });
  });

  it("takes the one-click field as multipart/form-data too, and only that field", async () => {
    await withTempDir(async (dir) => {
      const outDir = join(dir, "out");
      await mkdir(outDir);
      const db = openDatabase(join(dir, "db.sqlite"));
      const store = new SubscriberStore(db);
      store.importSubscribers([{ email: "ann@example.org" }, { email: "bob@example.org" }]);
      const serve = await startPreviewServer({ outDir, port: 0, secret: SECRET, store });
      try {
        const multipart = (value: string) =>
          `--b0undary\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n${value}\r\n--b0undary--\r\n`;
        const headers = { "Content-Type": "multipart/form-data; boundary=b0undary" };
        const annPath = `/digest/unsubscribe?token=${createUnsubscribeToken(SECRET, "ann@example.org")}`;
        expect((await http(serve.port, "POST", annPath, multipart("Two-Click"), headers)).status).toBe(400);
        expect((await http(serve.port, "POST", annPath, "List-Unsubscribe=One-Click&List-Unsubscribe=x")).status).toBe(200);
        expect(store.get("ann@example.org")?.status).toBe("unsubscribed");
        const bobPath = `/unsubscribe?token=${createUnsubscribeToken(SECRET, "bob@example.org")}`;
        expect((await http(serve.port, "POST", bobPath, multipart("One-Click"), headers)).status).toBe(200);
        expect(store.list().map((s) => s.status)).toEqual(["unsubscribed", "unsubscribed"]);
      } finally {
        await serve.close();
        db.close();
      }
    });
  });
});
