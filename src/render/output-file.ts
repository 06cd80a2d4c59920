/** One file a renderer produces, by its path relative to `out/`. Renderers never write files. */
export interface OutputFile {
  path: string;
  contents: string | Uint8Array | TextPieces;
}

/**
 * Text in pieces, in order, written to the file one after another and never
 * joined into one string: a ten-year archive's index page is megabytes, and
 * joining it (or writing a string built by `+`, which V8 then flattens) is a
 * copy of that size in memory that is only written out and dropped. Each
 * piece is a whole string of well-formed text. `toString` joins them, for
 * whoever needs the text itself (tests).
 */
export interface TextPieces {
  readonly parts: readonly string[];
  toString(): string;
}

export function textPieces(...parts: string[]): TextPieces {
  return { parts, toString: () => parts.join("") };
}
