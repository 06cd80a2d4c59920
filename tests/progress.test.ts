import { describe, expect, it } from "vitest";
import type { Output } from "../src/output.js";
import { createProgress } from "../src/progress.js";

function output(interactive: boolean): Output & { lines: string[]; drawn: string[] } {
  const lines: string[] = [];
  const drawn: string[] = [];
  return { info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l), interactive, progress: (l) => drawn.push(l), lines, drawn };
}

describe("createProgress", () => {
  it("writes one line per tenth to a log", () => {
    const out = output(false);
    const progress = createProgress(out, 250, "rendered");
    for (let i = 0; i < 250; i++) progress.advance();
    progress.finish();
    expect(out.lines).toHaveLength(10);
    expect(out.lines[0]).toBe("rendered 10% (25/250)");
    expect(out.lines.at(-1)).toBe("rendered 100% (250/250)");
    expect(out.drawn).toEqual([]);
  });

  it("redraws a bar on a terminal only when it moves, and counts work done elsewhere", () => {
    const out = output(true);
    const progress = createProgress(out, 1000, "read");
    for (let i = 0; i < 500; i++) progress.advance();
    // A worker's count arrives as a total; it never goes back.
    progress.update(900);
    progress.update(800);
    progress.update(1000);
    progress.finish();
    expect(out.lines).toEqual([]);
    expect(out.drawn.length).toBeLessThan(120);
    expect(out.drawn).toContain("read [###############               ] 50% 500/1000");
    expect(out.drawn.at(-2)).toBe("read [##############################] 100% 1000/1000");
    expect(out.drawn.at(-1)).toBe("read [##############################] 100% 1000/1000\n");
  });
});
