/**
 * The XSLT stylesheet in a real browser: Debian's chromium (installed on the
 * team's machines and in CI; the test skips where it is absent), driven by
 * playwright-core, reading feeds from a server on 127.0.0.1 (browsers apply
 * XSLT only to documents of the same origin).
 */
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderFeeds } from "../../src/render/feeds.js";
import { makeIssue, testConfig } from "./feed-fixtures.js";

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))("feed.xsl shows a feed opened in a browser as a page", () => {
  const issue = makeIssue("2020-10-30", { title: "Beyond <eos> & more" });
  const files = new Map(renderFeeds([issue], testConfig()).map((f) => [f.path, String(f.contents)]));
  let server: Server;
  let browser: Browser;
  let base: string;
  let xsltSupported = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = files.get((req.url ?? "/").slice(1));
      if (body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": req.url!.endsWith(".xsl") ? "text/xsl" : "application/xml" }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  for (const path of ["atom.xml", "feed.xml", "categories/lg/atom.xml"]) {
    it(path, async (context) => {
      const page = await browser.newPage();
      await page.goto(`${base}${path}`);
      const heading = await page.locator("h1").textContent({ timeout: 5_000 }).catch(() => null);
      if (heading === null && xsltSupported) {
        // Chromium is removing XSLT (from version 155 on, by Chromium's plan); say so instead of failing.
        xsltSupported = false;
      }
      if (!xsltSupported) {
        context.skip("this chromium does not apply XSLT");
        return;
      }
      expect(heading).toContain("Test Digest");
      const link = page.locator("li a").first();
      expect(await link.textContent()).toContain(path.startsWith("categories") ? "A paper of 2020-10-30" : "2020-10-30 · Beyond <eos> & more");
      expect(await link.getAttribute("href")).toMatch(/^https:\/\//u);
      await page.close();
    });
  }
});
