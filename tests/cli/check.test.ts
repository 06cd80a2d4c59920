import { readdir, readFile, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadIssues } from "../../src/parse/index.js";
import { repoRoot } from "../support/golden.js";
import { recordOutput } from "../support/recorder.js";

const badDir = join(repoRoot, "tests", "fixtures", "bad");
const cases = (await readdir(badDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);

/**
 * Each folder of tests/fixtures/bad is an issues folder with one problem;
 * `<name>.expected` holds what `check` prints for it and its exit code.
 * Paths print relative to the working directory, the repository root here.
 */
describe("letterpress check on bad input", () => {
  it.each(cases)("%s", async (name) => {
    const out = recordOutput();
    const issuesDir = relative(process.cwd(), join(badDir, name));
    const code = await main(["node", "letterpress", "check", "--issues", issuesDir], out);
    const printed = `${out.lines.join("\n")}\nexit: ${code}\n`;
    expect(printed).toBe(await readFile(join(badDir, `${name}.expected`), "utf8"));
    expect(printed).not.toMatch(/\n\s+at /u);
  });

  it("covers every case the foundation issue lists", () => {
    expect(cases).toEqual(
      expect.arrayContaining(["empty-file", "not-utf8", "binary-file", "impossible-date", "two-files-one-date", "no-link", "numbers-out-of-sequence", "unknown-category"]),
    );
  });
});

describe("white space that carries no meaning", () => {
  it("reads the sample with a BOM, CRLF line endings, tabs and trailing spaces exactly as the sample, with no warning", async () => {
    const sample = await readFile(join(repoRoot, "issues", "2020-10-30.txt"), "utf8");
    const noisy = `\uFEFF${sample
      .split("\n")
      .map((line, i) => (i % 2 === 0 ? `\t${line}  \t` : `${line} `))
      .join("\r\n")}\r\n`;
    const dir = await mkdtemp(join(tmpdir(), "letterpress-noisy-"));
    await writeFile(join(dir, "2020-10-30.txt"), noisy);
    const plain = await mkdtemp(join(tmpdir(), "letterpress-plain-"));
    await writeFile(join(plain, "2020-10-30.txt"), sample);

    const noisyResult = await loadIssues(dir, { displayRoot: dir });
    const plainResult = await loadIssues(plain, { displayRoot: plain });
    expect(noisyResult.diagnostics).toEqual([]);
    expect(noisyResult.issues).toEqual(plainResult.issues);
    expect(noisyResult.issues[0]!.entries).toHaveLength(5);
  });
});

describe("the repository's own issues", () => {
  it("check cleanly: no error, no warning", async () => {
    const out = recordOutput();
    const code = await main(["node", "letterpress", "check", "--issues", relative(process.cwd(), join(repoRoot, "issues"))], out);
    expect(out.lines).toEqual(["3 issues, 17 entries, 0 warnings, 0 errors"]);
    expect(code).toBe(0);
  });
});
