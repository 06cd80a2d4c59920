import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { renderEmailFiles } from "../../src/render/email.js";
import { neighboursIn, renderIssuePage } from "../../src/render/issue-page.js";
import { loadSampleIssues, testConfig } from "../render/email-fixtures.js";

/**
 * What a reader of the sample issue sees, byte for byte: the archive copy of
 * the email (its HTML as MJML compiled it, indentation removed), its plain
 * text, and the web version. `UPDATE_GOLDEN=1` (`npm run golden:update`)
 * rewrites them; review the diff like code.
 */
const goldenDir = resolve(import.meta.dirname, "2020-10-30");
const update = process.env.UPDATE_GOLDEN === "1";

async function compareWithGolden(name: string, actual: string): Promise<void> {
  const path = join(goldenDir, name);
  if (update) {
    await mkdir(goldenDir, { recursive: true });
    await writeFile(path, actual);
    return;
  }
  const expected = await readFile(path, "utf8").catch(() => {
    throw new Error(`${path} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/golden to write it`);
  });
  expect(actual, `${name} differs from its golden file; if the change is meant, run UPDATE_GOLDEN=1`).toBe(expected);
}

describe("golden files of the sample issue 2020-10-30", async () => {
  const config = testConfig();
  const issues = await loadSampleIssues();
  const sample = issues.find((i) => i.date === "2020-10-30")!;

  it("email.html and email.txt", async () => {
    const { files } = await renderEmailFiles(sample, config);
    await compareWithGolden("email.html", String(files.find((f) => f.path === "email/2020-10-30.html")!.contents));
    await compareWithGolden("email.txt", String(files.find((f) => f.path === "email/2020-10-30.txt")!.contents));
  });

  it("issue.html", async () => {
    await compareWithGolden("issue.html", String(renderIssuePage(sample, neighboursIn(issues, sample.date), config).contents));
  });
});
