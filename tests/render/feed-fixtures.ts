/**
 * Shared pieces of the feed tests: a fixed configuration, the example issues,
 * real parsers, and jing with the RFC 4287 schema from `../shared` (present
 * in CI and in the team's checkouts, absent from users' clones: tests that
 * need it skip when it is missing).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { XMLParser } from "fast-xml-parser";
import { resolveConfig } from "../../src/config/load.js";
import type { ConfigInput } from "../../src/config/schema.js";
import type { Issue } from "../../src/model/issue.js";
import { loadIssues } from "../../src/parse/index.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const exampleIssuesDir = join(repoRoot, "issues");
/** `../shared` beside the repository: the team's schemas (not in users' clones). */
export const atomSchema = join(resolve(repoRoot, "../shared"), "schemas/atom.rnc");
export const haveJingBinary = existsSync("/usr/bin/jing");
export const haveJing = haveJingBinary && existsSync(atomSchema);

/**
 * A RELAX NG schema that accepts any element: jing with it is a strict XML
 * 1.0 parser (fast-xml-parser's validator lets a stray `]]>` and control
 * characters through), so it checks well-formedness of RSS too.
 */
const ANY_XML = `start = anyElement
anyElement = element * { (attribute * { text } | text | anyElement)* }
`;

export function testConfig(overrides: Partial<{ [K in keyof ConfigInput]: Record<string, unknown> }> = {}) {
  const raw: ConfigInput = {
    site: {
      title: "Test Digest",
      description: "Papers <worth> reading & more",
      url: "https://example.org/digest/",
      language: "zh-CN",
      timezone: "Asia/Shanghai",
      author: "The editors",
      publishTime: "08:00",
      ...overrides.site,
    },
    feed: { length: 20, ...overrides.feed },
  };
  return resolveConfig(raw, "test.config.json");
}

export async function loadExampleIssues(): Promise<Issue[]> {
  const { issues, diagnostics } = await loadIssues(exampleIssuesDir, { displayRoot: repoRoot });
  if (diagnostics.some((d) => d.severity === "error")) throw new Error(`the example issues have errors: ${JSON.stringify(diagnostics)}`);
  return issues;
}

/** A plain XML parse (entities decoded once, as XML defines them), keeping attributes. */
export function parseXml(xml: string): Record<string, unknown> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => ["entry", "item", "link", "atom:link", "category"].includes(name), trimValues: false, parseTagValue: false, htmlEntities: false });
  return parser.parse(xml, true) as Record<string, unknown>;
}

/** Validates Atom documents with jing against RFC 4287's RELAX NG schema; returns jing's complaints. */
export async function validateAtom(documents: { path: string; contents: string }[]): Promise<string> {
  return runJing(atomSchema, documents);
}

/** Checks that documents are well-formed XML 1.0 with jing's strict parser; returns its complaints. */
export async function checkWellFormed(documents: { path: string; contents: string }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "letterpress-any-"));
  try {
    const schema = join(dir, "any.rnc");
    await writeFile(schema, ANY_XML);
    return await runJing(schema, documents);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runJing(schema: string, documents: { path: string; contents: string }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "letterpress-jing-"));
  try {
    const files: string[] = [];
    for (const [k, doc] of documents.entries()) {
      const file = join(dir, `${k}-${doc.path.replaceAll("/", "_")}`);
      await writeFile(file, doc.contents);
      files.push(file);
    }
    try {
      await promisify(execFile)("jing", ["-c", schema, ...files]);
      return "";
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A minimal valid issue, for edge cases; `entries` override the one default entry. */
export function makeIssue(date: string, patch: Partial<Issue> = {}): Issue {
  return {
    date,
    tags: [],
    legend: [{ tag: "LG", name: "机器学习" }],
    entries: [
      {
        kind: "numbered",
        number: 1,
        category: "LG",
        stars: 1,
        title: `A paper of ${date}`,
        chineseTitle: "一篇论文",
        authors: ["A Author"],
        affiliations: ["A University"],
        summary: "摘要。",
        abstract: "An abstract.",
        links: [`https://arxiv.org/abs/${date}`],
        images: [],
        source: { file: `issues/${date}.txt`, line: 3 },
      },
    ],
    extras: [],
    imageFiles: [],
    source: { file: `issues/${date}.txt`, format: "text" },
    ...patch,
  };
}
