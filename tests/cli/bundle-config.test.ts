import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCompiled } from "../support/compiled.js";
import { repoRoot } from "../support/golden.js";

const run = promisify(execFile);

beforeAll(() => ensureCompiled(), 120_000);

/** The bundle leaves zod's messages in other languages out (scripts/bundle.mjs); its own, in English, must stay. */
describe("the bundled CLI with a bad configuration", () => {
  it("names each bad field with zod's English message, as the sources do, and exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-bad-config-"));
    const config = join(dir, "bad.json");
    await writeFile(config, JSON.stringify({ site: { url: "not a url" }, smtp: { maxConnections: 0 } }));
    const failed = await run(process.execPath, [join(repoRoot, "bin/letterpress.js"), "build", "--config", config, "--issues", join(repoRoot, "issues"), "--out", join(dir, "out")]).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`bad.json: site.url: expected an absolute URL, got "not a url"`);
    expect(failed?.stderr).toContain("bad.json: smtp.maxConnections: Too small: expected number to be >=1");
  });
});

/** `send` replaces nodemailer's dot-stuffing in the module its pool imports (src/deliver/transports/dot-stuffing.ts): a copy of nodemailer inside the bundle would send through its own. */
describe("the bundle", () => {
  it("imports nodemailer from node_modules instead of carrying a copy", async () => {
    const dir = join(repoRoot, "dist/bundle");
    const files = (await readdir(dir)).filter((name) => name.endsWith(".js"));
    const sources = await Promise.all(files.map((name) => readFile(join(dir, name), "utf8")));
    expect(sources.some((source) => source.includes('from "nodemailer"'))).toBe(true);
    expect(files.filter((_, i) => sources[i]!.includes("_createSendStream"))).toEqual([]);
  });
});
