import { describe, expect, it } from "vitest";
import { parseMarkdownDigest } from "../../src/parse/markdown.js";

const digest = `---
title: 周末特刊
summary: 三篇论文
date: 2020-11-02
tags: [nlp]
---

## 编辑的话

本期只选了三篇。欢迎回复。

## [CL] **Beyond <eos>: "Stop" & Go
*B Newman, J Hewitt* (Stanford University & UC Berkeley)

超越终止符。研究了 \`<eos>\` 的作用。

We find *three* things:

- one;
- two.

[Paper](https://arxiv.org/abs/2010.07174)

![Figure 1](f01.png)

\`\`\`
## not a heading
\`\`\`
`;

describe("the Markdown digest parser", () => {
  const { content, diagnostics } = parseMarkdownDigest("issues/2020-11-02.md", digest);

  it("reads the front matter", () => {
    expect(diagnostics).toEqual([]);
    expect(content).toMatchObject({ title: "周末特刊", summary: "三篇论文", tags: ["nlp"], statedDate: { value: "2020-11-02", line: 4 } });
  });

  it("makes one entry per `## ` heading, not counting a `##` inside a code block", () => {
    expect(content.entries.map((e) => e.title)).toEqual(["编辑的话", 'Beyond <eos>: "Stop" & Go']);
  });

  it("reads an untagged heading as an editor's note with all its text kept", () => {
    expect(content.entries[0]).toMatchObject({ kind: "note", stars: 0, chineseTitle: "", summary: "本期只选了三篇。欢迎回复。", links: [] });
    expect(content.entries[0]!.bodyMarkdown).toBe("本期只选了三篇。欢迎回复。");
  });

  it("reads tag, stars, authors, affiliations, body, link and image of an entry", () => {
    const entry = content.entries[1]!;
    expect(entry).toMatchObject({
      kind: "numbered",
      category: "CL",
      stars: 2,
      authors: ["B Newman", "J Hewitt"],
      affiliations: ["Stanford University", "UC Berkeley"],
      chineseTitle: "超越终止符",
      summary: "研究了 <eos> 的作用。",
      abstract: "We find three things:\n\n- one;\n- two.",
      links: ["https://arxiv.org/abs/2010.07174"],
      images: ["f01.png"],
      source: { file: "issues/2020-11-02.md", line: 12 },
    });
    expect(entry.bodyMarkdown).toContain("We find *three* things:\n\n- one;\n- two.");
    expect(entry.bodyMarkdown).not.toContain("超越终止符");
    expect(entry.bodyMarkdown).not.toContain("[Paper]");
  });

  it("reports broken front matter with its line", () => {
    const broken = parseMarkdownDigest("x.md", "---\ntitle: [unclosed\n---\n\n## [LG] T\n\n[P](https://e.org/p)\n");
    expect(broken.diagnostics[0]).toMatchObject({ severity: "error", where: { file: "x.md", line: 2 } });
    expect(broken.diagnostics[0]!.message).toMatch(/^front matter: /u);
  });

  it("reports a tagged entry without a link at its heading's line", () => {
    const noLink = parseMarkdownDigest("x.md", "---\ntitle: t\n---\n\n## [LG] T\n\nText only.\n");
    expect(noLink.diagnostics).toEqual([expect.objectContaining({ severity: "error", where: { file: "x.md", line: 5 } })]);
  });
});
