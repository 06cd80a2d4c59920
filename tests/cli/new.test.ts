import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDigest, todayIn } from "../../src/cli/commands/new.js";
import { InputError } from "../../src/errors.js";
import { loadIssues } from "../../src/parse/index.js";

describe("letterpress new", () => {
  it.each(["txt", "md"] as const)("writes a %s skeleton that check accepts", async (format) => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-new-"));
    const path = await createDigest(dir, "2021-05-06", format);
    expect(path).toBe(join(dir, `2021-05-06.${format}`));
    const { issues, diagnostics } = await loadIssues(dir, { displayRoot: dir });
    expect(diagnostics).toEqual([]);
    expect(issues[0]!.date).toBe("2021-05-06");
  });

  it("refuses to overwrite an issue of the same date, in either format", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-new-"));
    await writeFile(join(dir, "2021-05-06-special.md"), "kept");
    await expect(createDigest(dir, "2021-05-06", "txt")).rejects.toThrow(InputError);
    await expect(createDigest(dir, "2021-05-06", "txt")).rejects.toThrow(/exists already/u);
    expect(await readFile(join(dir, "2021-05-06-special.md"), "utf8")).toBe("kept");
  });

  it("refuses a date that does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-new-"));
    await expect(createDigest(dir, "2021-02-30", "txt")).rejects.toThrow(/expected a real date/u);
  });

  it("dates by the site's time zone, not the machine's", () => {
    const instant = new Date("2021-05-06T20:30:00Z");
    expect(todayIn("Asia/Shanghai", instant)).toBe("2021-05-07");
    expect(todayIn("America/Los_Angeles", instant)).toBe("2021-05-06");
  });
});
