import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, requireSecret, requireSiteUrl, resolveConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";

describe("configuration", () => {
  it("fills every default", () => {
    const config = resolveConfig({}, "letterpress.config.json");
    expect(config.site).toMatchObject({ language: "zh-CN", timezone: "Asia/Shanghai", publishTime: "08:00" });
    expect(config.feed.length).toBe(20);
    expect(config.transport).toBe("capture://out/mailbox");
    expect(Object.isFrozen(config.site)).toBe(true);
  });

  it("names a bad field by its dotted path", () => {
    expect(() => resolveConfig({ site: { url: "example.com" } }, "letterpress.config.json")).toThrow(
      'letterpress.config.json: site.url: expected an absolute URL, got "example.com"',
    );
    expect(() => resolveConfig({ site: { timezone: "Mars/Olympus" } }, "c.json")).toThrow(/c\.json: site\.timezone: expected an IANA time zone/u);
    expect(() => resolveConfig({ feed: { length: 0 } }, "c.json")).toThrow(/c\.json: feed\.length: /u);
    expect(() => resolveConfig({ site: { colour: "red" } }, "c.json")).toThrow("c.json: site.colour: unknown field");
  });

  it("names the file it came from when a command needs a field it left out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-config-"));
    const file = join(dir, "digest.json");
    await writeFile(file, "{}");
    const config = await loadConfig({ file });
    expect(() => requireSiteUrl(config)).toThrow(`${file}: site.url: required for absolute links`);
    expect(() => requireSecret(config)).toThrow(`${file}: secret: required to sign unsubscribe links`);
  });

  it("takes flags over SMTP_URL over the file", () => {
    const file = { transport: "smtp://file:25" };
    expect(resolveConfig(file, "c.json").transport).toBe("smtp://file:25");
    expect(resolveConfig(file, "c.json", { env: { SMTP_URL: "smtp://env:25" } }).transport).toBe("smtp://env:25");
    expect(resolveConfig(file, "c.json", { env: { SMTP_URL: "smtp://env:25" }, overrides: { transport: "smtp://flag:25" } }).transport).toBe("smtp://flag:25");
  });

  it("adds the trailing slash a site URL needs for relative links", () => {
    expect(resolveConfig({ site: { url: "https://example.org/digest" } }, "c.json").site.url).toBe("https://example.org/digest/");
  });

  it("reports a named file that is missing or is not JSON", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-config-"));
    await expect(loadConfig({ file: join(dir, "missing.json") })).rejects.toThrow(ConfigError);
    await writeFile(join(dir, "bad.json"), "{ site: }");
    await expect(loadConfig({ file: join(dir, "bad.json") })).rejects.toThrow(/bad\.json: not valid JSON/u);
  });
});
