import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/**
 * Opens newsletter HTML in headless Chromium (Debian's `/usr/bin/chromium`,
 * a fresh profile, no network: every request is answered from the issue's
 * own image folder or refused) at each width, and reports what a reader's
 * phone or desktop client would show wrong: horizontal overflow, and entry
 * titles that are not visible inside the viewport.
 */
export const CHROMIUM_PATH = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ViewportReport {
  width: number;
  /** `scrollWidth` of the document: more than `width` means the reader scrolls sideways. */
  scrollWidth: number;
  /** Titles not found, not visible, or reaching outside the viewport. */
  hiddenTitles: string[];
  /** The text as rendered (`innerText`: white space as CSS collapses it, hidden text left out). */
  text: string;
  screenshot?: Uint8Array;
}

export interface InspectOptions {
  widths: readonly number[];
  titles: readonly string[];
  /** Absolute URL prefix of the images and the folder they are in, to answer image requests offline. */
  images?: { urlPrefix: string; dir: string };
  /** Take a screenshot of the top of the message, this many CSS pixels tall (the README shows it). */
  screenshotHeight?: number;
}

export async function inspectEmail(html: string, options: InspectOptions): Promise<ViewportReport[]> {
  const profile = await mkdtemp(join(tmpdir(), "letterpress-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      const images = options.images;
      if (images && url.startsWith(images.urlPrefix)) {
        const name = decodeURIComponent(url.slice(images.urlPrefix.length));
        try {
          return await route.fulfill({ body: await readFile(join(images.dir, name)), contentType: name.endsWith(".png") ? "image/png" : "image/jpeg" });
        } catch {
          return route.abort();
        }
      }
      return route.abort();
    });
    const reports: ViewportReport[] = [];
    for (const width of options.widths) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.setContent(html, { waitUntil: "load" });
      const scrollWidth = Number(await page.evaluate("document.documentElement.scrollWidth"));
      const hiddenTitles: string[] = [];
      for (const title of options.titles) {
        const found = page.getByText(title, { exact: true }).first();
        const box = (await found.count()) > 0 && (await found.isVisible()) ? await found.boundingBox() : null;
        if (!box || box.width === 0 || box.height === 0 || box.x < 0 || box.x + box.width > width + 0.5) hiddenTitles.push(title);
      }
      const text = String(await page.evaluate("document.body.innerText"));
      const report: ViewportReport = { width, scrollWidth, hiddenTitles, text };
      if (options.screenshotHeight) {
        const height = Math.min(options.screenshotHeight, Number(await page.evaluate("document.documentElement.scrollHeight")));
        report.screenshot = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width, height } });
      }
      reports.push(report);
      await page.close();
    }
    return reports;
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
