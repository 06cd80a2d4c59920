// Preloaded into a measured child (`node --require`): at exit, writes the
// process's peak resident memory and CPU time to the file BENCH_USAGE_FILE names.
const { writeFileSync } = require("node:fs");
const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
  });
}
