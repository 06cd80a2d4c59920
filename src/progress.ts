import type { Output } from "./output.js";

export interface Progress {
  /** One more done. */
  advance(): void;
  /** `done` of the total done, counting from the start (for work counted elsewhere, such as a worker thread). */
  update(done: number): void;
  /** Leaves the last state on screen and moves past it. */
  finish(): void;
}

/**
 * A bar redrawn in place on a terminal (`rendered [####    ] 40% 1460/3650`);
 * elsewhere one line per tenth, `<verb> 40% (1460/3650)`, so a log shows
 * that long work is moving without a line per item.
 */
export function createProgress(out: Output, total: number, verb: string): Progress {
  let done = 0;
  let lastDecile = 0;
  let lastBar = "";
  const width = 30;
  const update = (now: number) => {
    done = Math.min(total, Math.max(done, now));
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (out.interactive && out.progress) {
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const bar = `${verb} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${percent}%`;
      // Redraw only when the bar or its percentage moves: a long run would
      // otherwise write to the terminal once per item.
      if (bar !== lastBar || done === total) out.progress(`${bar} ${done}/${total}`);
      lastBar = bar;
    } else if (Math.floor(percent / 10) > lastDecile) {
      lastDecile = Math.floor(percent / 10);
      out.info(`${verb} ${lastDecile * 10}% (${done}/${total})`);
    }
  };
  return {
    advance: () => update(done + 1),
    update,
    finish() {
      if (out.interactive && out.progress && lastBar) out.progress(`${lastBar} ${done}/${total}\n`);
    },
  };
}
