import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Transform, TransformCallback } from "node:stream";
import { sha256Hex } from "../../hash.js";

/**
 * Nodemailer's SMTP connection streams every message through its
 * `DataStream`, which turns bare CR and LF into CRLF and doubles a dot at the
 * start of a line (RFC 5321 4.5.2). It looks at every byte in JavaScript: a
 * 44 KB newsletter costs about 220 µs, a quarter of the sender's CPU in
 * `npm run bench` (10,000 messages: 2.1 s of 8 s). The transform below
 * writes the same bytes but only looks at the bytes around each CR and LF,
 * which `Buffer.indexOf` finds natively (about 50 µs for the same message).
 *
 * It replaces `DataStream.prototype._transform` only if nodemailer's is the
 * one this was written against (the hash of its source): a nodemailer that
 * changed it keeps its own, and `tests/deliver/dot-stuffing.test.ts` fails
 * until this file is checked against the new one. The same tests compare
 * both on random input in random chunks.
 */

/** The state nodemailer's DataStream keeps, which the transform reads and updates as its own does. */
interface DataStreamState extends Transform {
  inByteCount: number;
  outByteCount: number;
  /** The last byte of the previous chunk; `false` before the first. */
  lastByte: number | false;
}

/** `sha256` of `DataStream.prototype._transform.toString()` in nodemailer 10.6.1, the one reviewed. */
export const REVIEWED_TRANSFORM_SHA256 = "f9011076cfb9b81d6f382bca2d600bc9fe9d40bbe0d4bed9a0563aab27e8d4d5";

const INSERT_LF = Buffer.from("\n");
const INSERT_LF_DOT = Buffer.from("\n.");
const INSERT_CR = Buffer.from("\r");
const INSERT_DOT = Buffer.from(".");

const CR = 13;
const LF = 10;
const DOT = 46;

/**
 * Nodemailer's rule, byte for byte: before byte `i` goes LF after a bare CR
 * (LF and a dot if the byte is a dot), CR before a bare LF, a dot before a
 * dot that starts a line. Each of those is at a CR or LF or just after one
 * (or at the start of the chunk, after the previous chunk's last byte), so
 * only those places are looked at.
 */
export function dotStuffingTransform(this: DataStreamState, input: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
  if (!input || input.length === 0) {
    done();
    return;
  }
  const chunk = typeof input === "string" ? Buffer.from(input) : input;
  const length = chunk.length;
  this.inByteCount += length;
  const lastByte = this.lastByte;
  let parts: Buffer[] | undefined;
  let partsLength = 0;
  let copiedUpTo = 0;
  let looked = -1;

  const lookAt = (i: number) => {
    if (i <= looked || i >= length) return;
    looked = i;
    const byte = chunk[i]!;
    const previous = i > 0 ? chunk[i - 1]! : lastByte;
    let insert: Buffer | undefined;
    if (previous === CR && byte !== LF) insert = byte === DOT ? INSERT_LF_DOT : INSERT_LF;
    else if (byte === LF && previous !== CR) insert = INSERT_CR;
    else if (byte === DOT && (previous === LF || previous === false)) insert = INSERT_DOT;
    if (!insert) return;
    parts ??= [];
    if (i > copiedUpTo) {
      parts.push(chunk.subarray(copiedUpTo, i));
      partsLength += i - copiedUpTo;
    }
    parts.push(insert);
    partsLength += insert.length;
    copiedUpTo = i;
  };

  lookAt(0);
  let nextCr = chunk.indexOf(CR);
  let nextLf = chunk.indexOf(LF);
  while (nextCr !== -1 || nextLf !== -1) {
    if (nextLf === -1 || (nextCr !== -1 && nextCr < nextLf)) {
      lookAt(nextCr + 1);
      nextCr = chunk.indexOf(CR, nextCr + 1);
    } else {
      lookAt(nextLf);
      lookAt(nextLf + 1);
      nextLf = chunk.indexOf(LF, nextLf + 1);
    }
  }

  if (parts) {
    if (copiedUpTo < length) {
      parts.push(chunk.subarray(copiedUpTo));
      partsLength += length - copiedUpTo;
    }
    this.outByteCount += partsLength;
    this.push(Buffer.concat(parts, partsLength));
  } else {
    this.outByteCount += length;
    this.push(chunk);
  }
  this.lastByte = chunk[length - 1]!;
  done();
}

type TransformMethod = (this: DataStreamState, chunk: Buffer | string, encoding: BufferEncoding, done: TransformCallback) => void;

export type DotStuffingPatch =
  | {
      installed: true;
      /** Nodemailer's own transform, as it was. */
      original: TransformMethod;
      /** Nodemailer's DataStream class. */
      DataStream: new () => DataStreamState;
    }
  | {
      installed: false;
      /** Why nodemailer keeps its own: its transform is not the reviewed one, or the module was not where expected. */
      why: string;
    };

let patch: Promise<DotStuffingPatch> | undefined;

/**
 * Puts `dotStuffingTransform` in place of nodemailer's own, once per
 * process, if nodemailer's is the reviewed one; never fails (nodemailer's own
 * is correct, only slower). The class is not exported by nodemailer; it is
 * the module `smtp-connection/index.js` imports, beside the package's entry:
 * the same module instance the pool uses (the bundle keeps nodemailer
 * outside, `scripts/bundle.mjs`).
 */
export function installDotStuffing(): Promise<DotStuffingPatch> {
  patch ??= (async (): Promise<DotStuffingPatch> => {
    try {
      const DataStream = await loadDataStream();
      const prototype = DataStream.prototype as unknown as { _transform: TransformMethod };
      const original = prototype._transform;
      const sha256 = sha256Hex(original.toString());
      if (sha256 !== REVIEWED_TRANSFORM_SHA256) return { installed: false, why: `nodemailer's DataStream._transform is not the reviewed one (sha256 ${sha256})` };
      prototype._transform = dotStuffingTransform;
      return { installed: true, original, DataStream };
    } catch (cause) {
      return { installed: false, why: `nodemailer's DataStream was not found: ${cause instanceof Error ? cause.message : String(cause)}` };
    }
  })();
  return patch;
}

/**
 * nodemailer's DataStream as this code's own imports load nodemailer: its
 * ES module build from the sources (an ES module, as in the tests), its
 * CommonJS build from the bundle (CommonJS, where `import.meta` has only the
 * `url` the bundle gives it). Either way the pool and the patch share one
 * module.
 */
async function loadDataStream(): Promise<new () => DataStreamState> {
  if (typeof import.meta.resolve === "function") {
    const url = new URL("smtp-connection/data-stream.js", import.meta.resolve("nodemailer"));
    return ((await import(url.href)) as { default: new () => DataStreamState }).default;
  }
  const require = createRequire(import.meta.url);
  return require(join(dirname(require.resolve("nodemailer")), "smtp-connection", "data-stream.js")) as new () => DataStreamState;
}
