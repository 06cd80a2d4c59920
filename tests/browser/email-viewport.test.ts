import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHROMIUM_PATH, inspectEmail } from "../../scripts/email-viewport.js";
import { renderEmailFiles } from "../../src/render/email.js";
import { breakLongHtmlLines } from "../../src/render/html-lines.js";
import { viewIssue } from "../../src/render/issue-view.js";
import { issueUrl } from "../../src/render/urls.js";
import { fillNewsletterTemplate, loadSampleIssues, sampleIssuesDir, testConfig } from "../render/email-fixtures.js";

// Debian's chromium (CI installs it with apt); a clone without it skips these tests.
describe.skipIf(!existsSync(CHROMIUM_PATH))("the sample's email in headless Chromium", () => {
  it("does not overflow sideways at 375 px or 600 px, and shows every entry title", async () => {
    const config = testConfig();
    const issues = await loadSampleIssues();
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const { files } = await renderEmailFiles(sample, config);
    const html = String(files.find((f) => f.path.endsWith(".html"))!.contents);
    const view = viewIssue(sample, config);
    const titles = [...view.entries, ...view.extras].map((e) => e.title);
    expect(titles).toHaveLength(8);

    const reports = await inspectEmail(html, {
      widths: [375, 600],
      titles,
      images: { urlPrefix: issueUrl(config, sample.date), dir: join(sampleIssuesDir, sample.date) },
    });
    expect(reports.map((r) => r.width)).toEqual([375, 600]);
    for (const report of reports) {
      expect(report.scrollWidth, `${report.width} px`).toBeLessThanOrEqual(report.width);
      expect(report.hiddenTitles, `${report.width} px`).toEqual([]);
    }
  });

  it("shows the same text with the newsletter's long lines broken as without (the renderer's last step)", async () => {
    const config = testConfig();
    const issues = await loadSampleIssues();
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const filled = await fillNewsletterTemplate(sample, config);
    const broken = breakLongHtmlLines(filled);
    expect(broken).not.toBe(filled);
    const [before, after] = await Promise.all([filled, broken].map(async (html) => (await inspectEmail(html, { widths: [600], titles: [] }))[0]!));
    expect(after!.text).toBe(before!.text);
    expect(after!.scrollWidth).toBe(before!.scrollWidth);
    expect(before!.text).toContain(sample.entries[0]!.abstract.slice(0, 200));
  });

  it("reports a title it cannot see and a layout that overflows", async () => {
    // The checks themselves must be able to fail: a fixed 900 px table and a hidden title.
    const html = `<!doctype html><html><body><table width="900"><tr><td>Wide</td></tr></table><p style="display:none">Hidden title</p><p>Shown title</p></body></html>`;
    const [report] = await inspectEmail(html, { widths: [375], titles: ["Hidden title", "Shown title", "Missing title"] });
    expect(report!.scrollWidth).toBeGreaterThan(375);
    expect(report!.hiddenTitles).toEqual(["Hidden title", "Missing title"]);
  });
});
