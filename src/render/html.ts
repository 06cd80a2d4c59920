import type { TextPieces } from "./output-file.js";

/**
 * HTML for the web pages (issue page, archive), escaped by default: every
 * value interpolated into `html\`…\`` is escaped unless it is already `Html`
 * (the result of another `html` call, or of `trustedHtml` for markup we made,
 * such as markdown-it output with `html: false`).
 */
export class Html implements TextPieces {
  /** The markup in pieces: each nested `html` adds its pieces, so a page is never copied into one string until it is needed as one. */
  constructor(readonly parts: readonly string[]) {}

  /** The markup as one string. */
  get value(): string {
    return this.parts.join("");
  }

  toString(): string {
    return this.value;
  }
}

type Interpolated = string | number | Html | undefined | null | false | readonly Interpolated[];

/** Text → HTML text or attribute value (double-quoted attributes only). */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  const parts: string[] = [];
  if (strings[0]) parts.push(strings[0]);
  values.forEach((value, i) => {
    interpolate(value, parts);
    const next = strings[i + 1];
    if (next) parts.push(next);
  });
  return new Html(parts);
}

export function trustedHtml(markup: string): Html {
  return new Html([markup]);
}

function interpolate(value: Interpolated, parts: string[]): void {
  if (value === undefined || value === null || value === false) return;
  if (value instanceof Html) {
    for (const part of value.parts) parts.push(part);
  } else if (Array.isArray(value)) {
    for (const item of value as readonly Interpolated[]) interpolate(item, parts);
  } else {
    parts.push(escapeHtml(String(value)));
  }
}

/**
 * JSON inside `<script type="application/json">`: `<` is written as `\u003c`
 * so no `</script>` or `<!--` in the data can end the element (HTML §4.12.1.3).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

/**
 * The font stack every page and the email use: Latin faces first, then the
 * CJK faces of macOS/iOS, Windows and Linux/Android, so Chinese text never
 * falls back to a serif default.
 */
export const FONT_STACK =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif";
