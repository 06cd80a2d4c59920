import { readFileSync } from "node:fs";

/**
 * The build's own records (`out/.letterpress/`) as JSON Lines: one JSON value
 * a line. A year's issue records are half a megabyte of JSON with CJK in it:
 * decoded whole, that is one string of a megabyte (two bytes a character),
 * which V8 allocates on pages of its own that the kernel maps afresh, and
 * JSON.parse reads it in one go. Line by line every string is small:
 * reading a ten-year archive's ten year files took 125-134 ms whole and
 * 67 ms by line (4,700 page faults against 1,900), measured.
 */
export function encodeJsonLines(values: readonly unknown[]): Buffer {
  return Buffer.concat(values.map((value) => Buffer.from(`${JSON.stringify(value)}\n`)));
}

/** The values, one a line (empty lines skipped); undefined if a line is not JSON. */
export function decodeJsonLines(bytes: Buffer): unknown[] | undefined {
  const values: unknown[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    if (end > start) {
      try {
        values.push(JSON.parse(bytes.toString("utf8", start, end)));
      } catch {
        return undefined;
      }
    }
    start = end + 1;
  }
  return values;
}

/** Lines of `[key, value]` pairs, as `encodeJsonLines(Object.entries(record))` writes them; undefined if any line is not one. */
export function entriesOf(lines: readonly unknown[]): [string, unknown][] | undefined {
  const entries: [string, unknown][] = [];
  for (const line of lines) {
    if (!Array.isArray(line) || line.length !== 2 || typeof line[0] !== "string") return undefined;
    entries.push([line[0], line[1]]);
  }
  return entries;
}

/** A record file's bytes; undefined when it cannot be read (a first build, or out/ deleted). */
export function readBytes(path: string): Buffer | undefined {
  try {
    // Synchronous on purpose: the promise API decodes UTF-8 in JavaScript, in chunks, several times slower for megabytes.
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
