import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { addDays, format } from "date-fns";

/**
 * A synthetic archive shaped like the sample: daily issues of 10–20 entries,
 * every fifth one in Markdown, Chinese summaries and English abstracts of the
 * sample's length, a few images beside every tenth issue. Deterministic (a
 * seeded generator), so two runs measure the same input.
 */
export interface ArchiveShape {
  issues: number;
  firstDate: string;
  subscribers: number;
}

export const TEN_YEARS: ArchiveShape = { issues: 3650, firstDate: "2015-01-01", subscribers: 10_000 };

const CATEGORIES = ["LG", "CV", "CL", "AS", "RO"];
const LEGEND = "LG - 机器学习 CV - 计算机视觉 CL - 计算与语言 AS - 音频与语音 RO - 机器人 (*表示值得重点关注)";
const ENGLISH = "We study how deep networks learn features during training & show that the loss landscape <changes> quickly in the first epochs; our analysis explains when \"linearised\" models suffice and when they do not, across datasets, architectures and scales.".split(" ");
const CHINESE = "研究了深度网络在训练中如何学习特征并表明损失景观在最初几轮迅速变化分析解释了线性化模型何时足够何时不够".split("");
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082", "hex");

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function generateArchive(dir: string, shape: ArchiveShape): Promise<{ issuesDir: string; subscribersCsv: string; dates: string[] }> {
  const random = seeded(20201030);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const words = (from: readonly string[], n: number, join = " ") => Array.from({ length: n }, () => pick(from)).join(join);
  const issuesDir = join(dir, "issues");
  await mkdir(issuesDir, { recursive: true });
  const dates: string[] = [];
  for (let i = 0; i < shape.issues; i++) {
    const date = format(addDays(new Date(`${shape.firstDate}T12:00:00Z`), i), "yyyy-MM-dd");
    dates.push(date);
    const count = 10 + Math.floor(random() * 11);
    const entries = Array.from({ length: count }, (_, k) => ({
      number: k + 1,
      tag: pick(CATEGORIES),
      stars: k < 3 ? 1 + Math.floor(random() * 2) : 0,
      title: `${words(ENGLISH, 6 + Math.floor(random() * 8))} ${i}-${k}`,
      chinese: words(CHINESE, 14, ""),
      summary: `${words(CHINESE, 120, "")}。`,
      abstract: `${words(ENGLISH, 150 + Math.floor(random() * 80))}.`,
      link: `https://example.org/papers/${i}/${k}`,
    }));
    if (i % 5 === 4) {
      const md = [
        "---",
        `title: 第 ${i + 1} 期`,
        `summary: ${count} 篇论文`,
        "---",
        "",
        ...entries.flatMap((e) => [
          `## [${e.tag}] ${"*".repeat(e.stars)}${e.title}`,
          "*A Author, B Author, C Author* (First University & Second Lab)",
          "",
          `${e.chinese}。${e.summary}`,
          "",
          e.abstract,
          "",
          `[Paper](${e.link})`,
          "",
          ...(i % 10 === 9 && e.number === 1 ? ["![Figure 1](f01.png)", ""] : []),
        ]),
      ].join("\n");
      await writeFile(join(issuesDir, `${date}.md`), md);
    } else {
      const text = [
        LEGEND,
        "",
        ...entries.flatMap((e) => [
          `${e.number}、[${e.tag}] ${"*".repeat(e.stars)}${e.title}`,
          "A Author, B Author, C Author",
          "[First University & Second Lab]",
          `${e.chinese}。${e.summary}** ${e.abstract} ${e.link}`,
          "f01.png.jpgf02.png.jpg",
          "",
        ]),
        "其他几篇值得关注的论文:",
        "",
        `[LG] ${words(ENGLISH, 8)}`,
        words(CHINESE, 12, ""),
        "D Author, E Author",
        "[Third University]",
        `https://example.org/papers/${i}/extra`,
        "",
      ].join("\n");
      await writeFile(join(issuesDir, `${date}.txt`), text);
    }
    if (i % 10 === 9) {
      await mkdir(join(issuesDir, date), { recursive: true });
      await writeFile(join(issuesDir, date, i % 5 === 4 ? "f01.png" : "f01.png.jpg"), PNG);
    }
  }
  const subscribersCsv = join(dir, "subscribers.csv");
  const rows = ["email,name", ...Array.from({ length: shape.subscribers }, (_, n) => `reader${n}@example.org,"Reader ${n}, 读者"`)];
  await writeFile(subscribersCsv, `${rows.join("\n")}\n`);
  return { issuesDir, subscribersCsv, dates };
}
