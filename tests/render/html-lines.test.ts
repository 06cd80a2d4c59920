import { parse, type DefaultTreeAdapterMap } from "parse5";
import { describe, expect, it } from "vitest";
import { fitsEightBit } from "../../src/deliver/template.js";
import { renderNewsletter } from "../../src/render/email.js";
import { breakLongHtmlLines, breakLongHtmlLinesInPieces } from "../../src/render/html-lines.js";
import { fillNewsletterTemplate, loadSampleIssues, makeAbstract, makeEntry, makeIssue, testConfig } from "./email-fixtures.js";

const octets = (text: string) => Buffer.byteLength(text, "utf8");
const lines = (html: string) => html.split(/\r?\n/u);
const longest = (html: string) => Math.max(...lines(html).map(octets));

/** What changed: the indexes where a space became a newline; fails on any other change. */
function replacedSpaces(before: string, after: string): number[] {
  expect(after.length).toBe(before.length);
  const changed: number[] = [];
  for (let i = 0; i < before.length; i++) {
    if (before[i] === after[i]) continue;
    expect([before[i], after[i]], `at ${i}`).toEqual([" ", "\n"]);
    changed.push(i);
  }
  return changed;
}

/** Han, kana, Hangul, Bopomofo, CJK punctuation and full-width forms: wide characters, by script rather than by UAX #11's table. */
const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6]/u;

describe("breakLongHtmlLines", () => {
  it("breaks at the last space that keeps a line within 998 octets, counted in UTF-8", () => {
    // 3 + 990 octets (495 two-octet letters, 495 UTF-16 units), then " bbb" to 997 octets; " ccc…" would make 1,008.
    const head = "é".repeat(495);
    const html = `<p>${head} bbb ${"c".repeat(10)}</p>`;
    expect(breakLongHtmlLines(html)).toBe(`<p>${head} bbb\n${"c".repeat(10)}</p>`);
    // A character outside the BMP: two UTF-16 units, four octets (3 + 992 + " bb" is 998).
    const astral = "𝐀".repeat(248);
    expect(breakLongHtmlLines(`<p>${astral} bb cc</p>`)).toBe(`<p>${astral} bb\ncc</p>`);
    // Exactly 998 octets stays; one more breaks.
    const exact = `<p>${"a".repeat(989)} b</p>`;
    expect(octets(exact)).toBe(998);
    expect(breakLongHtmlLines(exact)).toBe(exact);
    expect(breakLongHtmlLines(`<p>${"a".repeat(990)} b</p>`)).toBe(`<p>${"a".repeat(990)}\nb</p>`);
  });

  it("breaks a long paragraph into lines that are each as long as they can be", () => {
    const text = makeAbstract(5000, 7);
    const html = `<div><p lang="en" style="margin:6px 0;font-size:14px">${text}</p></div>\n<p>short</p>\n`;
    const broken = breakLongHtmlLines(html);
    const changed = replacedSpaces(html, broken);
    expect(changed.length).toBeGreaterThanOrEqual(5);
    expect(longest(broken)).toBeLessThanOrEqual(998);
    expect(fitsEightBit(broken)).toBe(true);
    // Greedy: no line could have taken the next word too.
    const brokenLines = lines(broken);
    brokenLines.slice(0, changed.length).forEach((line, i) => {
      const nextWord = brokenLines[i + 1]!.split(" ")[0]!;
      expect(octets(`${line} ${nextWord}`), `line ${i + 1}`).toBeGreaterThan(998);
    });
  });

  it("gives the same document in pieces: the text between the breaks, each break a newline of its own", () => {
    const html = `<div><p>${makeAbstract(5000, 7)}</p></div>\n<p>short</p>\n`;
    const pieces = breakLongHtmlLinesInPieces(html);
    expect(pieces.join("")).toBe(breakLongHtmlLines(html));
    const breaks = pieces.filter((_, i) => i % 2 === 1);
    expect(breaks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(breaks)).toEqual(new Set(["\n"]));
    expect(pieces.filter((_, i) => i % 2 === 0).every((piece) => !piece.includes("\n") || piece === pieces.at(-1))).toBe(true);
    // Nothing to break: the document itself, one piece.
    expect(breakLongHtmlLinesInPieces("<p>short</p>\n")).toEqual(["<p>short</p>\n"]);
  });

  it("never breaks a space with an East Asian wide character on either side, even across markup or written as a reference", () => {
    const cjk = `<p>${"中文 ".repeat(400)}</p>`;
    expect(breakLongHtmlLines(cjk)).toBe(cjk);
    const acrossTags = `<p>${"<b>中</b> <i>文</i> ".repeat(150)}</p>`;
    expect(octets(acrossTags)).toBeGreaterThan(998);
    expect(breakLongHtmlLines(acrossTags)).toBe(acrossTags);
    const references = `<p>${"&#x4E2D; &#20013; ".repeat(100)}</p>`;
    expect(breakLongHtmlLines(references)).toBe(references);
    const fullWidth = `<p>${"ＡＢ ｱｲ ".repeat(150)}</p>`;
    expect(breakLongHtmlLines(fullWidth)).toBe(fullWidth);

    // Mixed: only the spaces between two Latin words are broken.
    const mixed = `<p>${"训练 the model 模型 to learn 特征 ".repeat(60)}</p>`;
    const broken = breakLongHtmlLines(mixed);
    const changed = replacedSpaces(mixed, broken);
    expect(changed.length).toBeGreaterThan(0);
    expect(longest(broken)).toBeLessThanOrEqual(998);
    for (const at of changed) {
      expect(WIDE.test(mixed[at - 1]!), `before ${at}`).toBe(false);
      expect(WIDE.test(mixed[at + 1]!), `after ${at}`).toBe(false);
    }
  });

  it("never breaks inside a tag, an attribute value (even one holding \">\"), a comment or a character reference's neighbour it cannot read", () => {
    const words = "lorem ipsum dolor sit amet ".repeat(45);
    for (const html of [
      `<a title="${words}" href="https://example.org/?q=${words.replaceAll(" ", "+")}">x</a>`,
      `<img alt='${words}'>`,
      `<!-- ${words} -->`,
      `<!--[if mso]><table role="presentation" style="${words}"><tr><td> ${words} </td></tr></table><![endif]-->`,
      `<p>${"a&hellip; ".repeat(120)}</p>`,
    ]) {
      expect(octets(html)).toBeGreaterThan(998);
      expect(breakLongHtmlLines(html)).toBe(html);
    }
    // The text after a tag whose value holds ">" is text again, and broken there only.
    const tricky = `<p title="a > b ${words}">${words}</p>`;
    const broken = breakLongHtmlLines(tricky);
    const valueEnd = tricky.indexOf('">');
    expect(replacedSpaces(tricky, broken).every((at) => at > valueEnd)).toBe(true);
    expect(broken).not.toBe(tricky);
  });

  it("leaves white space alone where it is kept: <pre>, <textarea>, <style>, <script>, <title>, SVG, and inline white-space: pre…", () => {
    const words = "lorem ipsum dolor sit amet ".repeat(45);
    for (const html of [
      `<pre>${words}</pre>`,
      `<PRE class="code"><code>${words}</code></PRE>`,
      `<textarea>${words}</textarea>`,
      `<style>p { margin: 0 } /* ${words} */</style>`,
      `<script>const words = "${words}";</script>`,
      `<title>${words}</title>`,
      `<svg viewBox="0 0 10 10"><text>${words}</text></svg>`,
      `<div style="white-space: pre-wrap">${words}</div>`,
      `<div style="color:red;WHITE-SPACE:pre-line"><div>inner</div><span>${words}</span></div>`,
      `<p style="white-space:break-spaces">${words}</p>`,
      `<div style="white-space-collapse: preserve">${words}</div>`,
    ]) {
      expect(breakLongHtmlLines(html), html.slice(0, 40)).toBe(html);
    }
    // After the element that keeps white space has closed, text is broken again.
    const after = `<div style="white-space:pre"><div>${words}</div></div><p>${words}</p>`;
    expect(replacedSpaces(after, breakLongHtmlLines(after)).every((at) => at > after.indexOf("<p>"))).toBe(true);
    expect(breakLongHtmlLines(after)).not.toBe(after);
    // A style sheet that keeps white space could reach any element: nothing is broken.
    const sheet = `<style>.x { white-space: pre; }</style>\n<p>${words}</p>`;
    expect(breakLongHtmlLines(sheet)).toBe(sheet);
  });

  it("leaves a line it cannot break as it is (the sender sends that part quoted-printable)", () => {
    const unbreakable = `<p>${"字".repeat(400)}</p>\n<p><a href="https://example.org/${"x".repeat(1200)}">link</a></p>\n`;
    expect(breakLongHtmlLines(unbreakable)).toBe(unbreakable);
    expect(fitsEightBit(unbreakable)).toBe(false);
    // One line that cannot be broken does not keep the others long.
    const mixed = `<p>${"字".repeat(400)}</p>\n<p>${makeAbstract(3000, 1)}</p>\n`;
    const broken = breakLongHtmlLines(mixed);
    expect(lines(broken)[0]).toBe(`<p>${"字".repeat(400)}</p>`);
    expect(Math.max(...lines(broken).slice(1).map(octets))).toBeLessThanOrEqual(998);
  });

  it("counts a line up to its LF or CR LF, and keeps CRLF documents CRLF but for the new breaks", () => {
    const exact = `<p>${"a".repeat(989)} b</p>`;
    const crlf = `<html>\r\n${exact}\r\n<p>${makeAbstract(2500, 2)}</p>\r\n</html>\r\n`;
    const broken = breakLongHtmlLines(crlf);
    replacedSpaces(crlf, broken);
    expect(broken.startsWith(`<html>\r\n${exact}\r\n<p>`)).toBe(true);
    expect(broken.endsWith("</p>\r\n</html>\r\n")).toBe(true);
    expect(longest(broken)).toBeLessThanOrEqual(998);
    expect(fitsEightBit(broken)).toBe(true);
    const lf = crlf.replaceAll("\r\n", "\n");
    expect(breakLongHtmlLines(lf)).toBe(broken.replaceAll("\r\n", "\n"));
  });

  it("returns a document without long lines as it is, and breaks a broken document no further", () => {
    const short = "<p>a b c</p>\n".repeat(100);
    expect(breakLongHtmlLines(short)).toBe(short);
    const html = `<p>${makeAbstract(4000, 3)}</p>`;
    const once = breakLongHtmlLines(html);
    expect(breakLongHtmlLines(once)).toBe(once);
  });
});

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

/** Text nodes in document order, with the name of the element each is in. */
function textNodes(node: Node, parent = "", out: { text: string; parent: string }[] = []): { text: string; parent: string }[] {
  if (node.nodeName === "#text") out.push({ text: (node as DefaultTreeAdapterMap["textNode"]).value, parent });
  const element = node as Element;
  for (const child of element.childNodes ?? []) textNodes(child, element.tagName ?? parent, out);
  if (element.tagName === "template") textNodes((element as DefaultTreeAdapterMap["template"]).content, "template", out);
  return out;
}

/** The document's elements and attributes in order: what a newline in the wrong place would change. */
function markup(node: Node, out: string[] = []): string[] {
  const element = node as Element;
  if (element.tagName) out.push(`<${element.tagName} ${JSON.stringify(element.attrs)}>`);
  else if (node.nodeName === "#comment") out.push(`<!--${(node as DefaultTreeAdapterMap["commentNode"]).data}-->`);
  for (const child of element.childNodes ?? []) markup(child, out);
  return out;
}

/**
 * Parses both documents as a browser does (parse5, WHATWG HTML) and checks
 * that a reader sees the same: the same elements, attributes and comments;
 * the same text nodes, where only a space became a newline, never in an
 * element that shows white space as it is, and never beside a wide
 * character of the text around it (across text nodes).
 */
function expectSameRendering(before: string, after: string): number {
  const [a, b] = [parse(before), parse(after)];
  expect(markup(b)).toEqual(markup(a));
  const [textsA, textsB] = [textNodes(a), textNodes(b)];
  expect(textsB.map((t) => t.parent)).toEqual(textsA.map((t) => t.parent));
  const all = textsA.map((t) => t.text).join("");
  let offset = 0;
  let changes = 0;
  textsA.forEach(({ text, parent }, i) => {
    const changed = replacedSpaces(text, textsB[i]!.text);
    if (changed.length > 0) expect(["pre", "textarea", "style", "script", "title", "listing", "xmp"]).not.toContain(parent);
    for (const at of changed) {
      const left = /\S(?=\s*$)/u.exec(all.slice(0, offset + at))?.[0] ?? "";
      const right = /^\s*(\S)/u.exec(all.slice(offset + at + 1))?.[1] ?? "";
      expect(WIDE.test(left) || WIDE.test(right), `${left} ${right}`).toBe(false);
    }
    changes += changed.length;
    offset += text.length;
  });
  return changes;
}

describe("the newsletter's HTML with its long lines broken", async () => {
  const config = testConfig();
  const issues = await loadSampleIssues();

  it("renders the same elements and text for the sample issue, and every line fits in 998 octets", async () => {
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const filled = await fillNewsletterTemplate(sample, config);
    expect(longest(filled)).toBeGreaterThan(998);
    const { html } = await renderNewsletter(sample, config);
    expect(html).toBe(breakLongHtmlLines(filled));
    expect(expectSameRendering(filled, html)).toBeGreaterThan(0);
    expect(longest(html)).toBeLessThanOrEqual(998);
    expect(octets(html)).toBe(octets(filled));
  });

  it("renders the same for an issue of long abstracts in English and Chinese mixed", async () => {
    const mixedAbstract = (n: number) => makeAbstract(2400, n).replaceAll("model", "模型").replaceAll("loss", "损失 函数").replaceAll("dataset", "数据集 (dataset)");
    const issue = makeIssue("2021-03-01", [1, 2, 3].map((n) => makeEntry(n, { abstract: mixedAbstract(n) })), {
      extras: [makeEntry(4, { kind: "extra", abstract: mixedAbstract(4) })],
    });
    const filled = await fillNewsletterTemplate(issue, config);
    expect(longest(filled)).toBeGreaterThan(998);
    const html = (await renderNewsletter(issue, config)).html;
    expect(expectSameRendering(filled, html)).toBeGreaterThan(0);
    expect(fitsEightBit(html)).toBe(true);
  });
});
