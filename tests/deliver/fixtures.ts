import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/config/load.js";
import type { Config, ConfigInput } from "../../src/config/schema.js";
import type { Output } from "../../src/cli/output.js";
import { resolveMessageSettings, type MessageSettings } from "../../src/deliver/message.js";
import { UNSUBSCRIBE_URL_PLACEHOLDER, type NewsletterContent } from "../../src/render/newsletter.js";

export const SITE_URL = "https://example.org/digest/";
export const SECRET = "a test secret that is long enough";

export function testConfig(database: string, overrides: Partial<ConfigInput> = {}): Config {
  return resolveConfig(
    {
      site: { title: "爱可可 AI 前沿推介", url: SITE_URL },
      email: { from: "AI Digest <digest@example.org>", replyTo: "editor@example.org", listId: "digest.example.org" },
      secret: SECRET,
      database,
      smtp: { maxConnections: 3, connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 5000 },
      send: { retries: 6, backoffMs: 10, maxBackoffMs: 100 },
      ...overrides,
    },
    "test.config.json",
  );
}

/** A newsletter built by hand, as the renderer would hand it over. */
export function newsletterFixture(date = "2020-10-30", subject = "爱可可 AI 前沿推介 2020-10-30"): NewsletterContent {
  return {
    date,
    subject,
    html: `<!doctype html><html><body><h1>Issue ${date}</h1><p>Beyond &lt;eos&gt; &amp; more</p><p><a href="${UNSUBSCRIBE_URL_PLACEHOLDER}">Unsubscribe</a></p></body></html>`,
    text: `Issue ${date}\n\nBeyond <eos> & more\n\nUnsubscribe: ${UNSUBSCRIBE_URL_PLACEHOLDER}\n`,
    webUrl: `${SITE_URL}issues/${date}/`,
  };
}

export interface RecordedOutput extends Output {
  lines: string[];
}

export function recordOutput(): RecordedOutput {
  const lines: string[] = [];
  return { lines, interactive: false, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
}

export async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "letterpress-test-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Message settings that sign with DKIM (d=example.org, s=news) under a new key, and the public key to verify with. */
export function dkimSettings(database: string): { settings: MessageSettings; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const settings = resolveMessageSettings(testConfig(database), {
    domainName: "example.org",
    keySelector: "news",
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  });
  return { settings, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}
