/**
 * Golden feeds for the sample issue: byte-compared, reviewed in diffs like
 * code. `UPDATE_GOLDEN=1` (npm run golden:update) rewrites them.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderFeeds } from "../../src/render/feeds.js";
import { loadExampleIssues, repoRoot, testConfig } from "../render/feed-fixtures.js";

const goldenDir = join(repoRoot, "tests/golden/2020-10-30");

describe("golden feeds of the sample issue 2020-10-30", async () => {
  const sample = (await loadExampleIssues()).filter((i) => i.date === "2020-10-30");
  const files = new Map(renderFeeds(sample, testConfig()).map((f) => [f.path, String(f.contents)]));

  for (const name of ["feed.xml", "atom.xml", "feed.json"]) {
    it(name, async () => {
      const actual = files.get(name)!;
      const golden = join(goldenDir, name);
      if (process.env.UPDATE_GOLDEN === "1") await writeFile(golden, actual);
      expect(actual).toBe(await readFile(golden, "utf8"));
    });
  }
});
