import { serialize } from "node:v8";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compactString, compactStrings } from "../../src/parse/compact-strings.js";
import { loadIssues } from "../../src/parse/index.js";
import { repoRoot } from "../support/golden.js";

/**
 * How V8 stores a string, as its serializer tells (no native syntax needed):
 * the tag after the two header bytes (and any padding, zero bytes that align
 * two-byte text) is `"` for one byte a character, `c` for two.
 */
function storage(text: string): "one-byte" | "two-byte" {
  const bytes = serialize(text);
  let at = 2;
  while (bytes[at] === 0) at++;
  const tag = bytes[at];
  if (tag === 0x22) return "one-byte";
  if (tag === 0x63) return "two-byte";
  throw new Error(`unexpected serializer tag ${tag}`);
}

/** English cut out of a string with Chinese in it, as a parser cuts a field out of a file. */
function englishCutFromChinese(english: string): string {
  return `中文${english}`.slice(2);
}

describe("compactString", () => {
  it("stores English cut from a Chinese text in one byte a character, unchanged", () => {
    const cut = englishCutFromChinese("While reinforcement learning algorithms can learn effective policies.");
    expect(storage(cut)).toBe("two-byte");
    const compact = compactString(cut);
    expect(compact).toBe(cut);
    expect(storage(compact)).toBe("one-byte");
  });

  it("keeps every other text as it is: Latin-1, Chinese, emoji, a lone surrogate, the empty string", () => {
    for (const text of ["Café naïve — no", "Schrödinger ×2", "用结构化最大熵强化学习", "📄 paper 🔥", "a\ud800b", ""]) {
      expect(compactString(englishCutFromChinese(text))).toBe(text);
    }
    expect(storage(compactString(englishCutFromChinese("Schrödinger ×2")))).toBe("one-byte");
  });

  it("walks arrays and objects in place, leaving other values alone", () => {
    const issue = { title: englishCutFromChinese("A title long enough to be a slice"), stars: 2, missing: undefined, authors: [englishCutFromChinese("A Author")], source: { file: "x" } };
    const before = structuredClone(issue);
    expect(compactStrings(issue)).toBe(issue);
    expect(issue).toEqual(before);
    expect(storage(issue.title)).toBe("one-byte");
    expect(storage(issue.authors[0]!)).toBe("one-byte");
  });
});

describe("a parsed issue", () => {
  it("holds its English fields in one byte a character, its Chinese ones in two", async () => {
    const { issues } = await loadIssues(join(repoRoot, "issues"));
    const entry = issues.find((i) => i.date === "2020-10-30")!.entries[1]!;
    expect(entry.abstract.startsWith("While reinforcement learning")).toBe(true);
    expect(storage(entry.abstract)).toBe("one-byte");
    expect(storage(entry.title)).toBe("one-byte");
    expect(storage(entry.authors[0]!)).toBe("one-byte");
    expect(storage(entry.chineseTitle)).toBe("two-byte");
  });
});
