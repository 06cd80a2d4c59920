import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { CHROMIUM_PATH } from "../../scripts/email-viewport.js";
import { writeOutputs } from "../../src/build/write.js";
import { renderArchive } from "../../src/render/archive.js";
import { loadSampleIssues, testConfig } from "../render/email-fixtures.js";

describe.skipIf(!existsSync(CHROMIUM_PATH))("the archive's search box", () => {
  it("filters the issues in the browser from a page opened from disk, with no server, loading the search texts by year", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-archive-"));
    await writeOutputs(dir, renderArchive(await loadSampleIssues(), testConfig()));
    const profile = await mkdtemp(join(tmpdir(), "letterpress-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      await context.route(/^https?:/u, (route) => route.abort());
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(dir, "index.html")).href);
      const visibleDates = () => page.locator("li[data-date]:visible").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-date")));
      expect(await visibleDates()).toEqual(["2020-12-01", "2020-11-02", "2020-10-30"]);

      // The first search loads each year's search/YYYY.js from disk; the count shows once they are in.
      await page.fill("#search", "ising");
      await page.locator("#search-status", { hasText: "1 / 3" }).waitFor({ timeout: 10_000 });
      expect(await visibleDates()).toEqual(["2020-10-30"]);
      await page.fill("#search", "检索 karpukhin");
      expect(await visibleDates()).toEqual(["2020-11-02"]);
      expect(await page.locator("section.month:visible h3").allTextContents()).toEqual(["2020年11月"]);
      await page.fill("#search", "no such paper");
      expect(await visibleDates()).toEqual([]);
      await page.fill("#search", "");
      expect(await visibleDates()).toHaveLength(3);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  });
});
