// `npx tsx bench/send-cli.ts [subscribers…]`: the send benchmark alone, for
// 1,000 / 10,000 / 100,000 subscribers unless others are named. Compile
// first (`npm run build`): the send runs bin/letterpress.js.
// BENCH_BASELINE=0 skips the Nodemailer baseline; BENCH_BASELINE_MAX caps the
// sizes it runs at (default 10,000: at ~250 messages/s, 100,000 takes minutes).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchSend, type SendFigures } from "./send.js";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const baselineMax = process.env.BENCH_BASELINE === "0" ? 0 : Number(process.env.BENCH_BASELINE_MAX ?? 10_000);
const row = (who: string, n: number, f: SendFigures) =>
  `${String(n).padStart(7)}  ${who.padEnd(11)} ${f.messagesPerSecond.toFixed(0).padStart(6)} msg/s  peak ${f.peakRssMiB.toFixed(0).padStart(4)} MiB  wall ${f.seconds.toFixed(1).padStart(6)} s  ` +
  `cpu user ${f.userCpuSeconds.toFixed(1).padStart(6)} s sys ${f.systemCpuSeconds.toFixed(1).padStart(5)} s  server cpu ${f.serverCpuSeconds.toFixed(1).padStart(5)} s  ${(f.averageBytes / 1024).toFixed(0)} KiB/msg`;

console.log("subscribers sender      rate          memory          time        sender CPU                    sink server");
for (const subscribers of sizes.length ? sizes : [1_000, 10_000, 100_000]) {
  const workDir = await mkdtemp(join(tmpdir(), "letterpress-bench-send-"));
  try {
    const result = await benchSend({ subscribers, workDir, baseline: subscribers <= baselineMax });
    console.log(row("letterpress", subscribers, result.letterpress));
    if (subscribers <= baselineMax) {
      console.log(row("nodemailer", subscribers, result.nodemailerBaseline));
      console.log(`${" ".repeat(9)}ratio ${(result.letterpress.messagesPerSecond / result.nodemailerBaseline.messagesPerSecond).toFixed(2)}×`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
