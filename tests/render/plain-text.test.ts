import { describe, expect, it } from "vitest";
import { renderNewsletter } from "../../src/render/email.js";
import { viewIssue } from "../../src/render/issue-view.js";
import { displayWidth, renderPlainText, TEXT_WIDTH, wrap, wrapAsciiWords, wrapUnits } from "../../src/render/plain-text.js";
import { loadSampleIssues, makeEntry, makeIssue, testConfig } from "./email-fixtures.js";

const config = testConfig();

describe("wrap", () => {
  it("counts a CJK character as two columns", () => {
    expect(displayWidth("机器学习")).toBe(8);
    expect(displayWidth("LG 机器")).toBe(7);
    const lines = wrap("机".repeat(50), { width: 20 });
    expect(lines).toEqual(["机".repeat(10), "机".repeat(10), "机".repeat(10), "机".repeat(10), "机".repeat(10)]);
  });

  it("keeps Latin words whole and breaks at spaces", () => {
    const lines = wrap("the quick brown fox jumps over the lazy dog", { width: 15 });
    expect(lines).toEqual(["the quick brown", "fox jumps over", "the lazy dog"]);
  });

  it("does not start a line with closing punctuation", () => {
    const lines = wrap(`${"模".repeat(9)}型。下一句`, { width: 20 });
    expect(lines[1]!.startsWith("。")).toBe(false);
    expect(lines.every((l) => displayWidth(l) <= 20)).toBe(true);
    expect(lines.join("")).toBe(`${"模".repeat(9)}型。下一句`);
  });

  it("gives a word longer than the line a line of its own", () => {
    const url = `https://example.org/${"x".repeat(80)}`;
    expect(wrap(`see ${url} here`, { width: 30 })).toEqual(["see", url, "here"]);
  });

  it("indents continuation lines", () => {
    expect(wrap("aaa bbb ccc", { width: 9, first: "1. ", indent: "   " })).toEqual(["1. aaa", "   bbb", "   ccc"]);
  });

  it("collapses any run of white space to one space and trims the ends, in ASCII text and any other", () => {
    const words = ["the", "quick", "brown", "fox", "jumps"];
    const single = wrap(words.join(" "), { width: 15 });
    for (const gap of ["  ", "\t", " \n ", "\u3000", "\u00a0", " \r\n\t "]) {
      expect(wrap(words.join(gap), { width: 15 }), JSON.stringify(gap)).toEqual(single);
      expect(wrap(`${gap}${words.join(" ")}${gap}`, { width: 15 }), JSON.stringify(gap)).toEqual(single);
    }
    expect(wrap(" 模型  训练 ", { width: 15 })).toEqual(["模型 训练"]);
    expect(wrap("   ", { width: 15 })).toEqual([""]);
  });

  it("wraps a paragraph of thousands of units as it wraps each of its parts, and the next paragraph after it as on its own", () => {
    // 3,000 CJK characters, then words: past the first sizes of the unit list wrap reuses between calls.
    const wide = "模型".repeat(1_500);
    const words = Array.from({ length: 2_000 }, (_, i) => `w${i % 10}`).join(" ");
    const lines = wrap(`${wide} ${words}`, { width: 20 });
    expect(lines.slice(0, 300)).toEqual(Array.from({ length: 300 }, () => "模型".repeat(5)));
    expect(lines.slice(300)).toEqual(wrap(words, { width: 20 }));
    expect(lines.every((line) => displayWidth(line) <= 20)).toBe(true);
    expect(wrap("the quick brown fox jumps over the lazy dog", { width: 15 })).toEqual(["the quick brown", "fox jumps over", "the lazy dog"]);
  });

  it("wraps printable ASCII the quick way exactly as by units: 2,000 random paragraphs", () => {
    // Words with closing punctuation first or last, a URL longer than a line, one-letter words.
    const pool = ["the", "a", "model", "learning,", "(see", "Fig.", "3)", ",", ".", ")", "!?", "100%", "x", "https://example.org/a/very/long/path/that/is/longer/than/a/line?q=1", "re-use", "`code`", "<eos>", "AT&T"];
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const prefixes = ["", "  ", "1. ", "１. ", "    "];
    for (let k = 0; k < 2_000; k++) {
      const text = Array.from({ length: 1 + next(60) }, () => pool[next(pool.length)]!).join(" ");
      const width = 5 + next(76);
      const first = prefixes[next(prefixes.length)]!;
      const indent = prefixes[next(prefixes.length)]!;
      expect(wrapAsciiWords(text, width, first, indent), `${width} ${JSON.stringify(first)} ${text}`).toEqual(wrapUnits(text, width, first, indent));
    }
  });
});

describe("the plain-text part of the sample", async () => {
  const issues = await loadSampleIssues();

  for (const issue of issues) {
    it(`${issue.date}: no line is wider than 72 columns but for a lone reference URL`, async () => {
      const { text } = await renderNewsletter(issue, config);
      for (const line of text.split("\n")) {
        if (displayWidth(line) > TEXT_WIDTH) expect(line, "a line over 72 columns").toMatch(/^(\[\d+\] )?\S+$/u);
      }
    });
  }

  it("lists every link as a numbered reference, and each number it uses", async () => {
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    const { text } = await renderNewsletter(sample, config);
    const [body, references] = text.split("\n链接 Links\n") as [string, string];
    const listed = new Map(references.trim().split("\n").map((l) => { const m = /^\[(\d+)\] (\S+)$/u.exec(l)!; return [Number(m[1]), m[2]!] as const; }));
    const used = new Set([...body.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual([...listed.keys()]);
    expect([...listed.values()]).toContain("https://weibo.com/1402400261/JrPmobMeQ");
    expect([...listed.values()]).toContain("https://example.org/digest/issues/2020-10-30/");
    expect([...listed.values()]).toContain("https://example.org/digest/issues/2020-10-30/f01.png.jpg");
    expect([...listed.values()]).toContain("https://example.org/digest/feed.xml");
    // No link is written inline in the text: every URL is in the list at the end.
    expect(body).not.toMatch(/https?:\/\//u);
  });

  it("marks starred entries and names each category", () => {
    const issue = makeIssue("2021-01-01", [makeEntry(1, { stars: 2 }), makeEntry(2, { stars: 0, category: "CV" })]);
    const text = renderPlainText(viewIssue(issue, config), { unsubscribeUrl: "https://example.org/u" });
    expect(text).toContain("1. ★★ 重点 [LG · 机器学习]");
    expect(text).toContain("2. [CV · 计算机视觉]");
  });
});
