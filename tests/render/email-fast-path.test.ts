import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import mjml2html from "mjml";
import { describe, expect, it } from "vitest";
import { compactHtml, DEFAULT_TEMPLATES_DIR, liquid, newsletterFields, renderNewsletterReport } from "../../src/render/email.js";
import { breakLongHtmlLines } from "../../src/render/html-lines.js";
import { viewIssue } from "../../src/render/issue-view.js";
import { loadSampleIssues, testConfig } from "./email-fixtures.js";

const config = testConfig();
const mainTemplate = join(DEFAULT_TEMPLATES_DIR, "newsletter.mjml");

/** The MJML source with every `<mj-include>` replaced by the file it names, so Liquid can fill it as one text. */
async function inlineIncludes(file: string): Promise<string> {
  const source = await readFile(file, "utf8");
  const parts: string[] = [];
  let last = 0;
  for (const match of source.matchAll(/<mj-include path="([^"]+)"\s*\/>/gu)) {
    parts.push(source.slice(last, match.index), await inlineIncludes(resolve(dirname(file), match[1]!)));
    last = match.index + match[0].length;
  }
  parts.push(source.slice(last));
  return parts.join("");
}

/**
 * What may differ and means nothing to a mail client: the blank lines a
 * Liquid tag leaves in the compiled HTML; white space at the end of a
 * block, which MJML trims from an `mj-text` but not from behind a Liquid
 * tag; and Outlook's conditional comments, which MJML merges when two
 * follow each other but cannot merge across a `{% if %}` still in place
 * (`<![endif]--><!--[if mso | IE]>` is no comment at all).
 */
function normalise(html: string): string {
  return html
    .replace(/<!\[endif\]-->\s*<!--\[if mso \| IE\]>/gu, "")
    .replace(/\s+<\/div>/gu, "</div>")
    .replace(/\n\s*\n/gu, "\n");
}

/**
 * The build compiles the templates once and fills the compiled HTML for
 * each issue (render once, fill many). The slow way fills the MJML source
 * for the issue first and compiles it: the two must give the same HTML,
 * normalised the same way, for every example issue (both with their long
 * lines broken, as the renderer does after the fill).
 */
describe("the newsletter's compile-once fast path", async () => {
  const issues = await loadSampleIssues();
  const source = await inlineIncludes(mainTemplate);

  it.each(issues.map((issue) => [issue.date, issue] as const))("writes what a full mjml2html of the filled template writes, for %s", async (_, issue) => {
    const fast = await renderNewsletterReport(issue, config);
    expect(fast.shortened).toEqual([]);
    const filled = liquid.parseAndRenderSync(source, newsletterFields(viewIssue(issue, config), config)) as string;
    const full = await mjml2html(filled, { validationLevel: "strict", filePath: mainTemplate, minify: false });
    expect(full.errors).toEqual([]);
    // The renderer breaks lines over 998 octets after the fill: the same step on the slow side.
    expect(normalise(fast.content.html)).toBe(normalise(breakLongHtmlLines(compactHtml(full.html))));
    // The issue's text is there, not just the markup around it.
    expect(fast.content.html).toContain(issue.entries[0]?.title.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;") ?? "");
  });
});
