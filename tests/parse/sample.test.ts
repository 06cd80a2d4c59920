import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadIssues } from "../../src/parse/index.js";
import { parseTextDigest } from "../../src/parse/text.js";
import { expectGolden, repoRoot } from "../support/golden.js";

const samplePath = join(repoRoot, "issues", "2020-10-30.txt");

async function parseSample() {
  const text = await readFile(samplePath, "utf8");
  return parseTextDigest("issues/2020-10-30.txt", text);
}

describe("the sample digest", () => {
  it("parses without a problem into 5 numbered entries and 3 extras", async () => {
    const { content, diagnostics } = await parseSample();
    expect(diagnostics).toEqual([]);
    expect(content.entries.map((e) => e.number)).toEqual([1, 2, 3, 4, 5]);
    expect(content.extras).toHaveLength(3);
    expect(content.legend.map((c) => c.tag)).toEqual(["LG", "CV", "CL", "AS", "RO"]);
    expect(content.legend[0]).toEqual({ tag: "LG", name: "机器学习" });
    expect(content.starNote).toBe("*表示值得重点关注");
    expect(content.extrasHeading).toBe("其他几篇值得关注的论文");
  });

  it("reads entry 2 field by field", async () => {
    const entry = (await parseSample()).content.entries[1]!;
    expect(entry.title).toBe("One Solution is Not All You Need: Few-Shot Extrapolation via Structured MaxEnt RL");
    expect(entry.category).toBe("LG");
    expect(entry.stars).toBe(1);
    expect(entry.authors).toEqual(["S Kumar", "A Kumar", "S Levine", "C Finn"]);
    expect(entry.affiliations).toEqual(["Stanford University", "UC Berkeley"]);
    expect(entry.chineseTitle).toBe("用结构化最大熵强化学习(MaxEnt RL)实现少样本外推");
    expect(entry.summary.startsWith("提出鲁棒的SMERL强化学习算法")).toBe(true);
    expect(entry.summary.endsWith("来泛化新情况。")).toBe(true);
    expect(entry.abstract.startsWith("While reinforcement learning")).toBe(true);
    expect(entry.abstract).not.toContain("**");
    expect(entry.abstract.endsWith("changes in the environment and task.")).toBe(true);
    expect(entry.links).toEqual(["https://weibo.com/1402400261/JrPAcebws"]);
    expect(entry.images).toEqual(["f01.png.jpg", "f04.png.jpg"]);
  });

  it("splits a summary from its abstract when only a space separates them (entry 1)", async () => {
    const entry = (await parseSample()).content.entries[0]!;
    expect(entry.summary.endsWith("有用的特征。")).toBe(true);
    expect(entry.abstract.startsWith("In suitably initialized wide networks")).toBe(true);
    expect(entry.images).toEqual(["image.png", "image.png", "image.png", "image.png"]);
  });

  it("keeps Latin words of a Chinese summary in the summary (entry 3) and `>` in an abstract (entry 4)", async () => {
    const { entries } = (await parseSample()).content;
    expect(entries[2]!.summary).toContain("bootstrapping");
    expect(entries[2]!.summary).toContain("Q-learning");
    expect(entries[3]!.stars).toBe(2);
    expect(entries[3]!.abstract.endsWith("Videos are at this url > this https URL")).toBe(true);
    expect(entries[3]!.links).toEqual(["https://weibo.com/1402400261/JrPPEzj4s"]);
  });

  it("splits images glued on one line (entry 5)", async () => {
    const entry = (await parseSample()).content.entries[4]!;
    expect(entry.category).toBe("CL");
    expect(entry.images).toEqual(["f01.png.jpg", "f02.png.jpg"]);
  });

  it("reads an extra entry whose tag has no space after it", async () => {
    const extra = (await parseSample()).content.extras[1]!;
    expect(extra).toMatchObject({
      kind: "extra",
      category: "LG",
      title: "Tree-structured Ising models can be learned efficiently",
      chineseTitle: "树结构Ising模型的高效学习",
      authors: ["C Daskalakis", "Q Pan"],
      affiliations: ["MIT"],
      links: ["https://weibo.com/1402400261/JrQ2OnijD"],
      images: ["f07.png.jpg"],
    });
  });

  it("keeps the last extra's two images and a curly apostrophe", async () => {
    const extra = (await parseSample()).content.extras[2]!;
    expect(extra.affiliations[0]).toBe("Xi’an Jiaotong University");
    expect(extra.images).toEqual(["f01.png.jpg", "image.png"]);
  });

  it("loses nothing: the model written back in the editor's format is the file, but for white space and star marks", async () => {
    const text = await readFile(samplePath, "utf8");
    const { content } = await parseSample();
    const written = [
      content.legend.map((c) => `${c.tag} - ${c.name}`).join(" ") + ` (${content.starNote})`,
      ...content.entries.map((e) =>
        [`${e.number}、[${e.category}] ${e.title}`, e.authors.join(", "), `[${e.affiliations.join(" & ")}]`,
          `${e.chineseTitle}。${e.summary} ${e.abstract} ${e.links.join(" ")}`, e.images.join("")].join("\n"),
      ),
      `${content.extrasHeading}:`,
      ...content.extras.map((e) =>
        [`[${e.category}] ${e.title}`, e.chineseTitle, e.authors.join(", "), `[${e.affiliations.join(" & ")}]`, ...e.links, e.images.join("")].join("\n"),
      ),
    ].join("\n");
    const normalise = (s: string) => s.replace(/[\s*]/gu, "");
    expect(normalise(written)).toBe(normalise(text));
  });

  it("matches the golden parse", async () => {
    const { issues, diagnostics } = await loadIssues(join(repoRoot, "issues"), { displayRoot: repoRoot });
    expect(diagnostics).toEqual([]);
    const sample = issues.find((i) => i.date === "2020-10-30")!;
    await expectGolden("2020-10-30/parse.json", `${JSON.stringify(sample, null, 2)}\n`);
  });
});
