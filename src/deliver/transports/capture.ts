import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { Config } from "../../config/schema.js";
import { ConfigError } from "../../errors.js";
import type { OutgoingMessage, SendReceipt, Transport } from "../transport.js";

/**
 * `capture://DIR`: the folder is everything after `capture://`, taken as a
 * path (relative to the working folder, or absolute with a third slash:
 * `capture:///tmp/mailbox`). Not read through `new URL`, which would take
 * the `out` of `capture://out/mailbox` for a host and drop it.
 */
export function captureDirectory(url: string): string {
  const path = decodeURIComponent(url.replace(/^capture:\/\//iu, ""));
  if (!path) throw new ConfigError(`transport: ${JSON.stringify(url)} names no folder; expected e.g. capture://out/mailbox`);
  return isAbsolute(path) ? path : resolve(path);
}

export function createCaptureTransport(url: string, _config: Config): Transport {
  const dir = captureDirectory(url);
  return {
    name: `capture://${dir}`,
    concurrency: 4,
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      const file = await saveMessageFile(dir, message.raw);
      return { response: `250 saved ${file}` };
    },
    async close() {},
  };
}

let sequence = 0;

/**
 * Writes one message as `.eml`, atomically: a temporary name in the same
 * folder, then a rename, so a reader of the mailbox never sees half a
 * message. Names sort by arrival.
 */
export async function saveMessageFile(dir: string, raw: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/gu, "").replace(".", "-");
  const name = `${stamp}-${process.pid}-${String(++sequence).padStart(6, "0")}-${randomBytes(3).toString("hex")}.eml`;
  const temporary = join(dir, `.${name}.tmp`);
  try {
    await writeFile(temporary, raw);
    await rename(temporary, join(dir, name));
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return join(dir, name);
}
