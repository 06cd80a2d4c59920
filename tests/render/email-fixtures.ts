import { resolve } from "node:path";
import { resolveConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import type { Entry, Issue } from "../../src/model/issue.js";
import { loadIssues } from "../../src/parse/index.js";
import { DEFAULT_TEMPLATES_DIR, liquid, loadNewsletterTemplate, newsletterFields } from "../../src/render/email.js";
import { viewIssue } from "../../src/render/issue-view.js";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const sampleIssuesDir = resolve(repoRoot, "issues");

/** A fixed configuration, so outputs do not depend on the checkout's letterpress.config.json. */
export function testConfig(): Config {
  return resolveConfig(
    {
      site: { title: "爱可可 AI 前沿推介", description: "每日机器学习论文推介", url: "https://example.org/digest/", language: "zh-CN" },
      secret: "a test secret that is long enough",
    },
    "test config",
  );
}

/** The three example issues in `issues/`, oldest first. */
export async function loadSampleIssues(): Promise<Issue[]> {
  const { issues, diagnostics } = await loadIssues(sampleIssuesDir, { displayRoot: repoRoot });
  if (diagnostics.some((d) => d.severity === "error")) throw new Error(`the sample issues do not parse: ${JSON.stringify(diagnostics)}`);
  return issues;
}

/** The newsletter's HTML as the compiled template fills it, before the renderer breaks its long lines (and without shortening). */
export async function fillNewsletterTemplate(issue: Issue, config: Config): Promise<string> {
  const compiled = await loadNewsletterTemplate(DEFAULT_TEMPLATES_DIR);
  return liquid.renderSync(compiled.template, newsletterFields(viewIssue(issue, config), config)) as string;
}

/** An English abstract of about `length` characters, in sentences of a few dozen words. */
export function makeAbstract(length: number, seed: number): string {
  const words = ["learning", "gradient", "model", "transformer", "robust", "policy", "kernel", "dataset", "training", "representation", "loss", "benchmark"];
  const sentences: string[] = [];
  let text = "";
  for (let s = 0; text.length < length; s++) {
    const count = 12 + ((seed + s) % 9);
    const sentence = Array.from({ length: count }, (_, w) => words[(seed * 7 + s * 3 + w) % words.length]).join(" ");
    sentences.push(`${sentence[0]!.toUpperCase()}${sentence.slice(1)} ${seed}-${s}.`);
    text = sentences.join(" ");
  }
  return text;
}

export function makeEntry(n: number, overrides: Partial<Entry> = {}): Entry {
  return {
    kind: "numbered",
    number: n,
    category: n % 3 === 0 ? "CV" : "LG",
    stars: n % 4 === 0 ? 1 : 0,
    title: `Synthetic paper number ${n}: a study of scale`,
    chineseTitle: `第${n}篇合成论文:规模研究`,
    authors: ["A Author", "B Author", "C Author"],
    affiliations: ["First University", "Second Lab"],
    summary: "研究了模型规模与数据规模之间的关系,提出了一种新的训练方法,在多个基准上取得了更好的结果。",
    abstract: makeAbstract(600, n),
    links: [`https://arxiv.org/abs/2010.${String(10000 + n)}`],
    images: [],
    source: { file: "synthetic.txt", line: n },
    ...overrides,
  };
}

export function makeIssue(date: string, entries: Entry[], overrides: Partial<Issue> = {}): Issue {
  return {
    date,
    tags: [],
    legend: [
      { tag: "LG", name: "机器学习" },
      { tag: "CV", name: "计算机视觉" },
    ],
    starNote: "*表示值得重点关注",
    entries,
    extras: [],
    imageFiles: [],
    source: { file: `issues/${date}.txt`, format: "text" },
    ...overrides,
  };
}

/** Visible text of an HTML document: no `<head>`, no tags, entities decoded, white space folded. */
export function visibleText(html: string): string {
  const body = html.replace(/^[\s\S]*?<body[^>]*>/iu, "").replace(/<(script|style)\b[\s\S]*?<\/\1>/giu, " ").replace(/<!--[\s\S]*?-->/gu, " ");
  return foldSpace(decodeEntities(body.replace(/<[^>]+>/gu, " ")));
}

export function foldSpace(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/gu, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/giu, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replaceAll("&nbsp;", " ")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");
}
