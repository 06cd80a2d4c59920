import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { allEntries, type Issue } from "../../src/model/issue.js";
import {
  cutAtSentence,
  DEFAULT_TEMPLATES_DIR,
  EMAIL_BUDGET_BYTES,
  GMAIL_CLIP_BYTES,
  renderEmailFiles,
  renderNewsletter,
  renderNewsletterReport,
} from "../../src/render/email.js";
import { issueTitle } from "../../src/render/issue-view.js";
import { neighboursIn, renderIssuePage } from "../../src/render/issue-page.js";
import { fillUnsubscribeUrl, fillUnsubscribeUrlInPieces, UNSUBSCRIBE_URL_PLACEHOLDER, urlInHtml } from "../../src/render/newsletter.js";
import { loadSampleIssues, makeAbstract, makeEntry, makeIssue, testConfig, visibleText } from "./email-fixtures.js";

const config = testConfig();
const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const noSpace = (s: string) => s.replace(/\s+/gu, "");

/** Every string of an issue a reader is meant to see. */
function userVisibleStrings(issue: Issue): string[] {
  const strings = [issueTitle(issue, config), issue.date, issue.summary ?? "", ...issue.tags, issue.starNote ?? ""];
  for (const c of issue.legend) strings.push(c.tag, c.name);
  if (issue.extras.length > 0) strings.push(issue.extrasHeading ?? "");
  for (const e of allEntries(issue)) {
    strings.push(e.title, e.chineseTitle, ...e.authors, ...e.affiliations, e.summary, e.category ?? "");
    // Paragraphs, and list items without the marker a page draws as a bullet.
    strings.push(...e.abstract.split(/\n/u).map((line) => line.replace(/^\s*(?:[-*]|\d+\.)\s+/u, "").trim()));
    strings.push(...e.links.slice(1));
  }
  // HTML folds white space, so a line break inside a string is compared as a space.
  return strings.map((s) => s.replace(/\s+/gu, " ").trim()).filter((s) => s.length > 0);
}

describe("the newsletter of the sample issues", async () => {
  const issues = await loadSampleIssues();

  for (const issue of issues) {
    it(`${issue.date}: every user-visible string is in the email, its text part and the web page`, async () => {
      const email = await renderNewsletter(issue, config);
      const html = visibleText(email.html);
      const text = noSpace(email.text);
      const web = visibleText(String(renderIssuePage(issue, neighboursIn(issues, issue.date), config).contents));
      for (const s of userVisibleStrings(issue)) {
        expect(html, `email HTML lacks ${JSON.stringify(s)}`).toContain(s);
        expect(text, `text part lacks ${JSON.stringify(s)}`).toContain(noSpace(s));
        expect(web, `web page lacks ${JSON.stringify(s)}`).toContain(s);
      }
    });
  }

  it("keeps the sample well under Gmail's clipping limit, with nothing shortened", async () => {
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const report = await renderNewsletterReport(sample, config);
    expect(report.bytes).toBe(bytes(report.content.html));
    expect(report.bytes).toBeLessThan(EMAIL_BUDGET_BYTES);
    expect(report.shortened).toEqual([]);
    expect(report.content.subject).toBe("爱可可 AI 前沿推介 · 2020-10-30");
    expect(report.content.webUrl).toBe("https://example.org/digest/issues/2020-10-30/");
  });

  it("links the English titles, shows images only when the file exists, by absolute URL", async () => {
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const { html } = await renderNewsletter(sample, config);
    expect(html).toContain('<a href="https://weibo.com/1402400261/JrPAcebws"');
    expect(html).toContain('src="https://example.org/digest/issues/2020-10-30/f01.png.jpg"');
    // Named by the digest but not beside it: left out rather than shown broken.
    expect(html).not.toContain("f04.png.jpg");
    expect(html).not.toContain("image.png");
    expect(html).not.toMatch(/src="(?!https:\/\/)/u);
  });

  it("declares the colour scheme for dark mode and falls back to CJK fonts", async () => {
    const { html } = await renderNewsletter(issues[0]!, config);
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain("@media (prefers-color-scheme: dark)");
    for (const font of ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"]) expect(html).toContain(font);
    expect(html).toMatch(/<html[^>]* lang="zh-CN"/u);
  });

  it("leaves the unsubscribe link a placeholder for the sender, and the archive copy points at the site's page", async () => {
    const sample = issues[0]!;
    const content = await renderNewsletter(sample, config);
    expect(content.html).toContain(`href="${UNSUBSCRIBE_URL_PLACEHOLDER}"`);
    expect(content.text).toContain(UNSUBSCRIBE_URL_PLACEHOLDER);
    const personal = fillUnsubscribeUrl(content, "https://example.org/digest/u?t=abc&x=1");
    expect(personal.html).toContain('href="https://example.org/digest/u?t=abc&amp;x=1"');
    expect(personal.html).not.toContain(UNSUBSCRIBE_URL_PLACEHOLDER);

    const { files } = await renderEmailFiles(sample, config);
    expect(files.map((f) => f.path)).toEqual([`email/${sample.date}.html`, `email/${sample.date}.txt`]);
    for (const f of files) {
      expect(String(f.contents)).not.toContain("letterpress.invalid");
      expect(String(f.contents)).toContain("https://example.org/digest/unsubscribe");
    }
    // Written in pieces, as rendered: the same text as the sender's content with the site's unsubscribe page filled in.
    const archived = fillUnsubscribeUrl(content, "https://example.org/digest/unsubscribe");
    expect(String(files[0]!.contents)).toBe(archived.html);
    expect(String(files[1]!.contents)).toBe(archived.text);
  });

  it("fills the unsubscribe URL into text in pieces as into the whole text, without joining the pieces", () => {
    const url = "https://example.org/u?t=1&x=2";
    const pieces = [`<a href="${UNSUBSCRIBE_URL_PLACEHOLDER}">a</a> `, "\n", `${UNSUBSCRIBE_URL_PLACEHOLDER}b${UNSUBSCRIBE_URL_PLACEHOLDER}`, "\n", "end"];
    const whole = pieces.join("");
    expect(fillUnsubscribeUrlInPieces(pieces, urlInHtml(url)).join("")).toBe(whole.replaceAll(UNSUBSCRIBE_URL_PLACEHOLDER, "https://example.org/u?t=1&amp;x=2"));
    expect(fillUnsubscribeUrlInPieces(pieces, url)).toEqual(['<a href="', url, '">a</a> ', "\n", url, "b", url, "\n", "end"]);
  });

  it("renders the same bytes every time", async () => {
    const a = await renderNewsletter(issues[1]!, config);
    const b = await renderNewsletter(issues[1]!, config);
    expect(a).toEqual(b);
  });
});

describe("HTML special characters in the issue text", () => {
  const hostile = makeIssue("2021-01-05", [
    makeEntry(1, {
      title: `Beyond <eos> & "Stop" tokens <script>alert("title")</script>`,
      chineseTitle: "超越<eos>:终止符",
      authors: ["O'Brien <ob@example.org>"],
      summary: "总结 <b>不是粗体</b> & 更多。",
      abstract: `An abstract with <script>alert("xss")</script> in it & an <img src=x onerror=alert(1)> tag.`,
      links: ["https://example.org/paper?a=1&b=2"],
    }),
  ]);

  it("shows them as text in the email and the web page, never as markup", async () => {
    const email = await renderNewsletter(hostile, config);
    const web = String(renderIssuePage(hostile, neighboursIn([hostile], hostile.date), config).contents);
    for (const html of [email.html, web]) {
      expect(html).not.toMatch(/<script>alert/u);
      expect(html).not.toContain("<img src=x");
      expect(html).not.toContain("<b>不是粗体</b>");
      expect(html).toContain("&lt;script&gt;alert(");
      expect(html).toContain('href="https://example.org/paper?a=1&amp;b=2"');
      const text = visibleText(html);
      expect(text).toContain(`An abstract with <script>alert("xss")</script> in it & an <img src=x onerror=alert(1)> tag.`);
      expect(text).toContain(`Beyond <eos> & "Stop" tokens <script>alert("title")</script>`);
      expect(text).toContain("O'Brien <ob@example.org>");
    }
  });

  it("writes them as they are in the text part", async () => {
    const { text } = await renderNewsletter(hostile, config);
    expect(text).toContain(`<script>alert("xss")</script>`);
    expect(text).toContain("<b>不是粗体</b> & 更多。");
    expect(text).not.toMatch(/&(lt|gt|amp|quot|#\d+);/u);
    expect(text).toContain("https://example.org/paper?a=1&b=2");
  });
});

describe("the 102 KB limit", () => {
  it("holds for 50 entries with 3,000-character abstracts, by shortening at sentence boundaries", async () => {
    const entries = Array.from({ length: 50 }, (_, i) => makeEntry(i + 1, { abstract: makeAbstract(3000, i + 1) }));
    expect(entries.every((e) => e.abstract.length >= 3000)).toBe(true);
    const huge = makeIssue("2021-02-01", entries);
    const report = await renderNewsletterReport(huge, config);

    expect(report.overBudget).toBe(false);
    expect(bytes(report.content.html)).toBeLessThanOrEqual(EMAIL_BUDGET_BYTES);
    expect(bytes(fillUnsubscribeUrl(report.content, `https://example.org/digest/unsubscribe?token=${"x".repeat(200)}`).html)).toBeLessThan(GMAIL_CLIP_BYTES);
    expect(report.shortened.length).toBe(50);
    // The budget is spent on abstracts, not wasted: every entry keeps at least its first sentence.
    expect(report.shortened.every((e) => e.abstractParagraphs.length > 0)).toBe(true);

    const html = report.content.html;
    for (const entry of report.shortened) {
      expect(html).toContain(`href="https://example.org/digest/issues/2021-02-01/#${entry.anchor}"`);
      const kept = entry.abstractParagraphs.join(" ");
      // Cut after a whole sentence: what is kept is the start of the abstract, ending with its full stop.
      const original = entries.find((e) => String(e.number) === entry.number)!.abstract;
      if (kept) {
        expect(original.startsWith(kept)).toBe(true);
        expect(kept).toMatch(/\.$/u);
      }
      // Titles and summaries are never cut.
      expect(visibleText(html)).toContain(entry.title);
    }
    expect(report.content.text).toContain("阅读全文 Read on");

    const again = await renderNewsletterReport(huge, config);
    expect(again.content).toEqual(report.content);

    const { notices } = await renderEmailFiles(huge, config);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("email/2021-02-01.html");
    expect(notices[0]).toContain("shortened");
  });

  it("leaves a 15-entry issue of sample-sized entries whole", async () => {
    const issues = await loadSampleIssues();
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const fifteen = makeIssue("2021-03-01", Array.from({ length: 15 }, (_, i) => ({ ...sample.entries[i % sample.entries.length]!, number: i + 1 })), {
      extras: sample.extras,
      legend: sample.legend,
      imageFiles: sample.imageFiles,
    });
    const report = await renderNewsletterReport(fifteen, config);
    expect(report.shortened).toEqual([]);
    expect(report.bytes).toBeLessThan(EMAIL_BUDGET_BYTES);
    process.stdout.write(`sample ${(bytes((await renderNewsletter(sample, config)).html) / 1024).toFixed(1)} KB; 15 entries ${(report.bytes / 1024).toFixed(1)} KB\n`);
  });

  it("cuts at the end of a sentence, keeping whole sentences only", () => {
    const paragraphs = ["First sentence here. Second one (e.g. this) follows. Third sentence is long enough to matter."];
    expect(cutAtSentence(paragraphs, 25)).toEqual(["First sentence here."]);
    expect(cutAtSentence(paragraphs, 60)).toEqual(["First sentence here. Second one (e.g. this) follows."]);
    expect(cutAtSentence(paragraphs, 5)).toEqual([]);
    expect(cutAtSentence(["One. Two.", "Three."], 100)).toEqual(["One. Two.", "Three."]);
  });
});

describe("template errors", () => {
  async function brokenTemplates(file: string, edit: (source: string) => string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-templates-"));
    await cp(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
    const path = join(dir, file);
    await writeFile(path, edit(await readFile(path, "utf8")));
    return dir;
  }

  async function failureOf(templatesDir: string): Promise<InputError> {
    const issues = await loadSampleIssues();
    try {
      await renderNewsletterReport(issues[0]!, config, { templatesDir });
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return err as InputError;
    }
    throw new Error("the broken templates rendered without an error");
  }

  it("names the partial and line of an MJML validation error", async () => {
    const dir = await brokenTemplates("partials/entry.mjml", (s) => s.replace('<mj-text css-class="lp-text lp-entry"', '<mj-text colour="red" css-class="lp-text lp-entry"'));
    const err = await failureOf(dir);
    expect(err.diagnostics).toHaveLength(1);
    expect(err.diagnostics[0]!.where.file).toMatch(/partials[/\\]entry\.mjml$/u);
    expect(err.diagnostics[0]!.where.line).toBe(1);
    expect(err.diagnostics[0]!.message).toContain("colour");
  });

  it("names the file and line of a Liquid error", async () => {
    const dir = await brokenTemplates("partials/footer.mjml", (s) => s.replace("{% endfor %}", "{% endfour %}"));
    const err = await failureOf(dir);
    expect(err.diagnostics.length).toBeGreaterThan(0);
    expect(err.diagnostics[0]!.where.file).toMatch(/partials[/\\]footer\.mjml$/u);
    expect(err.diagnostics[0]!.where.line).toBe(5);
  });

  it("points an unknown variable, found while filling in an issue, at its template line", async () => {
    const dir = await brokenTemplates("partials/entry.mjml", (s) => s.replace("{{ entry.authors }}", "{{ entry.writers }}"));
    const err = await failureOf(dir);
    expect(err.diagnostics[0]!.where.file).toMatch(/partials[/\\]entry\.mjml$/u);
    expect(err.diagnostics[0]!.where.line).toBe(6);
    expect(err.diagnostics[0]!.message).toContain("entry.writers");
  });
});
