import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { resolveConfig } from "../src/config/load.js";
import { loadIssues } from "../src/parse/index.js";
import { renderEmailFiles } from "../src/render/email.js";
import { viewIssue } from "../src/render/issue-view.js";
import { issueUrl } from "../src/render/urls.js";
import { inspectEmail } from "./email-viewport.js";

/**
 * `npm run shots`: the sample issue's newsletter in headless Chromium at a
 * phone's width (375 px) and the email's own (600 px), written to
 * `out/shots/email-375.png` and `email-600.png` (the top 1600 px of each;
 * copy them to `docs/shots/` for the README). Exits 1 if the layout
 * overflows or hides an entry title.
 */
const root = process.cwd();
const date = process.argv[2] ?? "2020-10-30";
const config = resolveConfig(JSON.parse(await readFile(join(root, "letterpress.config.json"), "utf8")), "letterpress.config.json");
const { issues } = await loadIssues(join(root, "issues"));
const issue = issues.find((i) => i.date === date);
if (!issue) throw new Error(`no issue dated ${date} in issues/`);
const { files } = await renderEmailFiles(issue, config);
const html = String(files.find((f) => f.path.endsWith(".html"))!.contents);
const view = viewIssue(issue, config);
const reports = await inspectEmail(html, {
  widths: [375, 600],
  titles: [...view.entries, ...view.extras].map((e) => e.title),
  images: { urlPrefix: issueUrl(config, date), dir: join(root, "issues", date) },
  screenshotHeight: 1600,
});
const outDir = resolve(root, "out/shots");
await mkdir(outDir, { recursive: true });
let ok = true;
for (const report of reports) {
  const file = join(outDir, `email-${report.width}.png`);
  await writeFile(file, report.screenshot!);
  const problems = [report.scrollWidth > report.width ? `overflows to ${report.scrollWidth} px` : "", report.hiddenTitles.length ? `hides ${report.hiddenTitles.length} titles` : ""].filter(Boolean);
  ok &&= problems.length === 0;
  process.stdout.write(`${file}: ${report.width} px${problems.length ? `, ${problems.join(", ")}` : ", no overflow, every title visible"}\n`);
}
process.exitCode = ok ? 0 : 1;
