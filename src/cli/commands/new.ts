import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns/format";
import { InputError } from "../../errors.js";
import { isCalendarDate } from "../../model/calendar.js";

export type NewFormat = "txt" | "md";

/** Today's date in the site's time zone: the editor's day, not the machine's. */
export function todayIn(timezone: string, now: Date = new Date()): string {
  return format(new TZDate(now.getTime(), timezone), "yyyy-MM-dd");
}

/**
 * Writes a digest skeleton for a date. Refuses when any digest of that date
 * exists already (any format, any slug), and writes with `wx` so a file that
 * appears meanwhile is not overwritten either.
 */
export async function createDigest(issuesDir: string, date: string, digestFormat: NewFormat): Promise<string> {
  if (!isCalendarDate(date)) {
    throw new InputError(`--date ${date}: expected a real date as YYYY-MM-DD`);
  }
  await mkdir(issuesDir, { recursive: true });
  const existing = (await readdir(issuesDir)).find((n) => n.startsWith(date) && /\.(txt|md)$/u.test(n));
  if (existing) throw new InputError(`${join(issuesDir, existing)}: an issue for ${date} exists already; edit it, or choose another --date`);
  const path = join(issuesDir, `${date}.${digestFormat}`);
  try {
    await writeFile(path, digestFormat === "md" ? markdownSkeleton(date) : textSkeleton(), { flag: "wx" });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "EEXIST") throw new InputError(`${path}: exists already`, [], { cause });
    throw cause;
  }
  return path;
}

function textSkeleton(): string {
  return `LG - 机器学习 CV - 计算机视觉 CL - 计算与语言 AS - 音频与语音 RO - 机器人 (*表示值得重点关注)

1、[LG] *English title of the paper
A Author, B Author
[First University & Second Lab]
中文标题。中文摘要。** English abstract. https://example.org/paper
f01.png.jpg

其他几篇值得关注的论文:

[CV] English title of another paper
中文标题
C Author
[Third University]
https://example.org/another-paper
`;
}

function markdownSkeleton(date: string): string {
  return `---
title: ""
summary: ""
date: ${date}
tags: []
---

## [LG] *English title of the paper
*A Author, B Author* (First University & Second Lab)

中文标题。中文摘要。

English abstract.

[Paper](https://example.org/paper)
`;
}
