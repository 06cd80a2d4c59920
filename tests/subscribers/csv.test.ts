import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/errors.js";
import { parseSubscribersCsv } from "../../src/subscribers/csv.js";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");

describe("parseSubscribersCsv", () => {
  it("keeps the good rows, reports each bad one with its first line, and merges duplicates whatever their case", () => {
    const text = [
      "\uFEFFName,EMAIL,joined", // 1: BOM, columns in any case and order
      '"Ann",ann@example.org,2020', // 2
      "", // 3: blank
      '"Multi', // 4: a quoted name over two lines
      'Line, ""Name""",multi@example.org', // 5
      "bad,not-an-address", // 6
      "no address,", // 7
      '"x"y,z@example.org', // 8: a broken quote
      "ANN,Ann@Example.ORG", // 9: duplicate of line 2
      "Bob,bob@example.com", // 10
      '"unterminated,x@example.org', // 11: never closed
    ].join("\r\n");
    const result = parseSubscribersCsv(text, "list.csv");
    expect(result.subscribers).toEqual([
      { email: "ann@example.org", name: "Ann", line: 2 },
      { email: "multi@example.org", name: 'Multi Line, "Name"', line: 4 },
      { email: "bob@example.com", name: "Bob", line: 10 },
    ]);
    expect(result.merged).toBe(1);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'list.csv:6: "not-an-address" is not a valid address; the row was skipped',
      "list.csv:7: no address in the `email` column; the row was skipped",
      "list.csv:8: not valid CSV (invalid closing quote); the row was skipped",
      "list.csv:9: warning: Ann@Example.ORG is already on line 2; merged into it",
      "list.csv:11: not valid CSV (quote not closed); the row was skipped",
    ]);
  });

  it("rejects addresses a list should not hold", () => {
    const bad = ["plain", "a@b", "a b@example.org", "a@example..org", "<a@example.org>", "a@example.org\u0000", `${"x".repeat(250)}@example.org`, "a@-example.org", "Ann <ann@example.org>"];
    const text = ["email", ...bad.map((b) => `"${b}"`), "good+tag@sub.example.org"].join("\n");
    const result = parseSubscribersCsv(text, "x.csv");
    expect(result.subscribers.map((s) => s.email)).toEqual(["good+tag@sub.example.org"]);
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.where.line)).toEqual(bad.map((_, i) => i + 2));
  });

  it("reports a file without an email column", () => {
    expect(parseSubscribersCsv("name,address\nAnn,ann@example.org\n", "x.csv").diagnostics.map(formatDiagnostic)).toEqual([
      "x.csv:1: the header row has no `email` column; add one (and optionally `name`)",
    ]);
  });

  it("reads the sample at the repository root, a name with a comma, quotes and Chinese characters included", async () => {
    const result = parseSubscribersCsv(await readFile(resolve(repoRoot, "subscribers.sample.csv"), "utf8"), "subscribers.sample.csv");
    expect(result.diagnostics).toEqual([]);
    expect(result.subscribers.length).toBeGreaterThanOrEqual(4);
    expect(result.subscribers.every((s) => /@example\.(org|com)$/u.test(s.email))).toBe(true);
    expect(result.subscribers.some((s) => s.name?.includes(",") && s.name.includes('"') && /[\u4e00-\u9fff]/u.test(s.name))).toBe(true);
  });
});
