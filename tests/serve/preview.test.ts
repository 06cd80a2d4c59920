import { mkdir, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startPreviewServer } from "../../src/serve/server.js";
import { SubscriberStore, openDatabase } from "../../src/subscribers/store.js";
import { SECRET, withTempDir } from "../deliver/fixtures.js";

function get(port: number, path: string, method = "GET"): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, method, path }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body, ...(res.headers["content-type"] ? { type: res.headers["content-type"] } : {}) }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe("serve: preview of out/", () => {
  it("serves files and folder indexes under out/, and nothing outside it, whatever the request", async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, "out");
      await mkdir(join(out, "issues/2020-10-30"), { recursive: true });
      await writeFile(join(out, "index.html"), "<h1>archive</h1>");
      await writeFile(join(out, "issues/2020-10-30/index.html"), "<h1>issue</h1>");
      await writeFile(join(out, "feed.xml"), "<rss/>");
      await writeFile(join(dir, "secret.txt"), "do not serve");
      await mkdir(join(dir, "out-sibling"));
      await writeFile(join(dir, "out-sibling/x.txt"), "sibling");
      await symlink(join(dir, "secret.txt"), join(out, "link.txt"));
      const db = openDatabase(join(dir, "db.sqlite"));
      const server = await startPreviewServer({ outDir: out, port: 0, secret: SECRET, store: new SubscriberStore(db) });
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/u);
        expect(await get(server.port, "/")).toMatchObject({ status: 200, body: "<h1>archive</h1>", type: "text/html; charset=utf-8" });
        expect(await get(server.port, "/issues/2020-10-30/")).toMatchObject({ status: 200, body: "<h1>issue</h1>" });
        expect(await get(server.port, "/feed.xml")).toMatchObject({ status: 200, type: "application/xml; charset=utf-8" });
        for (const path of [
          "/../secret.txt",
          "/..%2fsecret.txt",
          "/%2e%2e/secret.txt",
          "/%2e%2e%2fsecret.txt",
          "/..\\secret.txt",
          "/..%5csecret.txt",
          "//../secret.txt",
          "/issues/../../secret.txt",
          "/../out-sibling/x.txt",
          "/%2e%2e/out-sibling/x.txt",
          "/link.txt",
          "/index.html%00.txt",
          "/%E0%A4%A",
          `/${"../".repeat(20)}etc/passwd`,
        ]) {
          const response = await get(server.port, path);
          expect(response.status, path).toBe(404);
          expect(response.body, path).not.toContain("do not serve");
          expect(response.body, path).not.toContain("sibling");
        }
        expect((await get(server.port, "/index.html", "DELETE")).status).toBe(405);
      } finally {
        await server.close();
        db.close();
      }
    });
  });
});
