import { error, type Diagnostic } from "../errors.js";

export interface SourceLine {
  /** 1-based line number in the file. */
  number: number;
  /** The line without indentation, trailing white space or line ending. */
  text: string;
}

export type DecodedText = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Bytes to text, refusing what is not a digest: binary files (a NUL byte) and
 * anything that is not valid UTF-8 (named with the line of the first bad byte).
 * A UTF-8 byte-order mark is dropped.
 */
export function decodeDigest(file: string, bytes: Uint8Array): DecodedText {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      ok: false,
      diagnostic: error({ file }, "this is a binary file, not a digest: expected UTF-8 text"),
    };
  }
  try {
    return { ok: true, text: utf8.decode(bytes).replace(/^\uFEFF/, "") };
  } catch {
    const bad = firstInvalidUtf8Offset(bytes);
    return {
      ok: false,
      diagnostic: error(
        { file, line: lineOfOffset(bytes, bad) },
        `the file is not valid UTF-8 (byte ${bad}): save it as UTF-8`,
      ),
    };
  }
}

/** Splits on LF or CRLF and trims every line; line numbers are kept. */
export function splitLines(text: string): SourceLine[] {
  return text.split(/\r?\n|\r/).map((line, i) => ({ number: i + 1, text: line.trim() }));
}

function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      utf8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return i;
}
