import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { repoRoot } from "../support/golden.js";
import { recordOutput } from "../support/recorder.js";

describe("--help", () => {
  it("lists every command", async () => {
    const out = recordOutput();
    expect(await main(["node", "letterpress", "--help"], out)).toBe(0);
    const text = out.lines.join("\n");
    for (const command of ["check", "new", "start", "build", "send", "capture", "serve", "subscribers"]) expect(text).toContain(command);
  });

  it.each([
    ["check", ["--issues", "--config"]],
    ["new", ["--date", "--format", "--issues", "--config"]],
    ["build", ["--issues", "--out", "--config"]],
    ["start", ["--issues", "--out", "--subscribers", "--config"]],
    ["send", ["--issues", "--config", "--subscribers", "--smtp", "--db", "--dry-run", "--rate"]],
    ["capture", ["--port", "--dir"]],
    ["serve", ["--port", "--out", "--host", "--db"]],
    ["subscribers", ["import", "add", "remove", "list"]],
  ])("describes every option of %s", async (command, options) => {
    const out = recordOutput();
    expect(await main(["node", "letterpress", command, "--help"], out)).toBe(0);
    for (const option of options) expect(out.lines.join("\n")).toContain(option);
  });

  it("prints the package's version with --version and -V", async () => {
    const { version } = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const out = recordOutput();
      expect(await main(["node", "letterpress", flag], out)).toBe(0);
      expect(out.lines).toEqual([version]);
    }
  });

  it("answers an unknown option with a usage error, exit 1, no stack", async () => {
    const out = recordOutput();
    expect(await main(["node", "letterpress", "check", "--bogus"], out)).toBe(1);
    expect(out.lines.join("\n")).toMatch(/unknown option '--bogus'/u);
    expect(out.lines.join("\n")).not.toMatch(/\n\s+at /u);
  });
});
