import { Writable } from "node:stream";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { describe, expect, it } from "vitest";
import { composeMessage, resolveMessageSettings } from "../../src/deliver/message.js";
import { dotStuffingTransform, installDotStuffing } from "../../src/deliver/transports/dot-stuffing.js";
import { renderNewsletter } from "../../src/render/email.js";
import { loadSampleIssues } from "../render/email-fixtures.js";
import { testConfig } from "./fixtures.js";

/** Nodemailer's DataStream with the patch in place and its own transform beside it. */
async function installed() {
  const patch = await installDotStuffing();
  if (!patch.installed) throw new Error(`the dot-stuffing patch is not installed: ${patch.why}. Check src/deliver/transports/dot-stuffing.ts against nodemailer's DataStream and update REVIEWED_TRANSFORM_SHA256`);
  return patch;
}

/** What a DataStream writes for `chunks`, with the given transform, and its byte counts. */
async function stream(transform: unknown, chunks: readonly Buffer[]) {
  const { DataStream } = await installed();
  const dataStream = new DataStream() as unknown as Writable & { _transform: unknown; inByteCount: number; outByteCount: number };
  dataStream._transform = transform;
  const out: Buffer[] = [];
  dataStream.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((done) => dataStream.on("end", done));
  for (const chunk of chunks) dataStream.write(chunk);
  dataStream.end();
  await ended;
  return { bytes: Buffer.concat(out), inByteCount: dataStream.inByteCount, outByteCount: dataStream.outByteCount };
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function randomSource(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function split(bytes: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 4 : 200));
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe("dot-stuffing (RFC 5321 4.5.2) in place of nodemailer's", () => {
  it("is installed: nodemailer's transform is the one it was checked against", async () => {
    const patch = await installDotStuffing();
    expect(patch.installed ? "installed" : patch.why).toBe("installed");
  });

  it("is the transform of the DataStream nodemailer's SMTP connection sends through", async () => {
    const { DataStream } = await installed();
    const connection = new SMTPConnection({}) as unknown as { _socket: Writable; _envelope: object; _createSendStream(done: () => void): Writable & { _transform: unknown } };
    connection._socket = new Writable({ write: (_chunk, _encoding, done) => done() });
    connection._envelope = {};
    const sendStream = connection._createSendStream(() => undefined);
    expect(sendStream).toBeInstanceOf(DataStream);
    expect(sendStream._transform).toBe(dotStuffingTransform);
  });

  it("writes what nodemailer's writes for random bytes heavy in CR, LF and dots, in random chunks", async () => {
    const { original } = await installed();
    const alphabet = [13, 10, 46, 46, 97, 32, 0xe4];
    for (let seed = 1; seed <= 400; seed++) {
      const random = randomSource(seed);
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => alphabet[Math.floor(random() * alphabet.length)]!));
      const chunks = split(bytes, random);
      const [theirs, ours] = await Promise.all([stream(original, chunks), stream(dotStuffingTransform, chunks)]);
      expect(ours, `seed ${seed}`).toEqual(theirs);
    }
  });

  it("writes what nodemailer's writes for the sample issue's message, whole and in small chunks, dots at line starts doubled", async () => {
    const { original } = await installed();
    const issues = await loadSampleIssues();
    const config = testConfig(":memory:");
    const content = await renderNewsletter(issues.at(-1)!, config);
    const dotted = { ...content, text: `${content.text}\n.a line that starts with a dot\n..and two\n` };
    const { raw } = await composeMessage(dotted, { email: "reader@example.org" }, resolveMessageSettings(config));
    for (const chunks of [[raw], split(raw, randomSource(7))]) {
      const [theirs, ours] = await Promise.all([stream(original, chunks), stream(dotStuffingTransform, chunks)]);
      expect(ours).toEqual(theirs);
      expect(ours.bytes.toString("latin1")).toContain("\r\n..a line that starts with a dot\r\n...and two\r\n");
    }
  });
});
