import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildSite } from "../../src/build/build.js";
import { resolveConfig } from "../../src/config/load.js";
import { startFaultSmtpServer, type FaultSmtpServer } from "../deliver/fault-smtp-server.js";
import { ensureCompiled } from "../support/compiled.js";
import { repoRoot } from "../support/golden.js";
import { recordOutput } from "../support/recorder.js";

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
  it("requires nodemailer from node_modules instead of carrying a copy", async () => {
    const dir = join(repoRoot, "dist/bundle");
    const files = (await readdir(dir)).filter((name) => name.endsWith(".cjs"));
    const sources = await Promise.all(files.map((name) => readFile(join(dir, name), "utf8")));
    expect(sources.some((source) => source.includes('require("nodemailer")'))).toBe(true);
    expect(files.filter((_, i) => sources[i]!.includes("_createSendStream"))).toEqual([]);
  });

  it("calls no import(): a script made from V8's cache (bin/code-cache.js) cannot, in Node 20", async () => {
    const dir = join(repoRoot, "dist/bundle");
    for (const name of (await readdir(dir)).filter((file) => file.endsWith(".cjs"))) {
      expect((await readFile(join(dir, name), "utf8")).match(/(?<![`\w.$])import\(/gu), name).toBeNull();
    }
  });
});

describe("the bundled CLI", () => {
  let server: FaultSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("sends through a real SMTP server with letterpress's own dot-stuffing in nodemailer's pool", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-bundle-send-"));
    server = await startFaultSmtpServer();
    const config = JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")) as Record<string, unknown>;
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, database: join(dir, "db.sqlite") }));
    const { stderr } = await run(process.execPath, [
      join(repoRoot, "bin/letterpress.js"),
      ...["send", "latest", "--issues", join(repoRoot, "issues"), "--config", join(dir, "config.json")],
      ...["--subscribers", join(repoRoot, "subscribers.sample.csv"), "--smtp", server.url],
    ]);
    // The send says so when nodemailer keeps its own dot-stuffing (src/deliver/transports/dot-stuffing.ts),
    // or when its pool is not the class the messages are handed to directly (smtp.ts): neither happened.
    expect(stderr).not.toMatch(/dot-stuffing/u);
    expect(stderr).not.toMatch(/sendMail/u);
    expect(server.received).toHaveLength(5);
  });

  it("compiles an edited template with MJML, imported when needed, as the sources do", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-bundle-template-"));
    const marker = "a template edited for the bundle test";
    await cp(join(repoRoot, "templates"), join(dir, "templates"), { recursive: true });
    const footer = join(dir, "templates/partials/footer.mjml");
    await writeFile(footer, (await readFile(footer, "utf8")).replace("退订 Unsubscribe</a></p>", `退订 Unsubscribe</a></p>\n      <p class="lp-muted">${marker}</p>`));
    // Compiled by an earlier run, the template would come from the cache, and MJML would not be imported.
    const cacheDir = join(repoRoot, "node_modules/.cache/letterpress");
    for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
      if (name.startsWith("newsletter-") && (await readFile(join(cacheDir, name), "utf8")).includes(marker)) await rm(join(cacheDir, name));
    }
    const raw = JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")) as Record<string, unknown>;
    const config = { ...raw, templates: join(dir, "templates") };
    await writeFile(join(dir, "config.json"), JSON.stringify(config));

    await run(process.execPath, [join(repoRoot, "bin/letterpress.js"), "build", "--issues", join(repoRoot, "issues"), "--out", join(dir, "bundled"), "--config", join(dir, "config.json")]);
    await buildSite({ issuesDir: join(repoRoot, "issues"), outDir: join(dir, "sources"), config: resolveConfig(config, "config.json"), out: recordOutput() });
    const email = "email/2020-12-01.html";
    expect(await readFile(join(dir, "bundled", email), "utf8")).toContain(marker);
    expect(await readFile(join(dir, "bundled", email), "utf8")).toBe(await readFile(join(dir, "sources", email), "utf8"));
  });
});
