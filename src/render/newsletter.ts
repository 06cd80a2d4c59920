/**
 * What the newsletter renderer hands to the sender: one issue's message,
 * the same for every recipient but for the unsubscribe link, which is a
 * placeholder the sender fills in per recipient (and the archive copy fills
 * in with the site's general unsubscribe page, so it never holds a dead link).
 */
export interface NewsletterContent {
  /** The date, `YYYY-MM-DD`. */
  date: string;
  /** One line, no CR or LF. */
  subject: string;
  html: string;
  text: string;
  /** The web version. */
  webUrl: string;
}

/**
 * RFC 5322 §2.1.1 and RFC 2045 §2.8: at most 998 octets a line. The
 * renderer keeps the HTML's lines within it where it can, so the sender can
 * send a part as it is (8bit) when the server allows.
 */
export const MAX_LINE_OCTETS = 998;

/** A line of a text, by its offsets. */
export interface LineSpan {
  start: number;
  /** Where the line's content ends: before its CR LF or LF, or at the end of the text. */
  end: number;
}

/** The lines of `text` longer than `limit` octets of UTF-8 (a line ends at LF or CR LF, which do not count). */
export function linesOver(text: string, limit: number = MAX_LINE_OCTETS): LineSpan[] {
  const found: LineSpan[] = [];
  for (let start = 0; ; ) {
    const newline = text.indexOf("\n", start);
    const next = newline === -1 ? text.length : newline;
    const end = next > start && text.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    // A UTF-16 unit is one to three octets of UTF-8 (a surrogate pair, four): counted only between those bounds.
    const units = end - start;
    if (units * 3 > limit && (units > limit || Buffer.byteLength(text.slice(start, end), "utf8") > limit)) found.push({ start, end });
    if (newline === -1) return found;
    start = newline + 1;
  }
}

/**
 * A URL-shaped placeholder, so that escaping by the template engine, MJML
 * and the HTML minifier all leave it as it is (`.invalid` is reserved by
 * RFC 2606 and can never resolve).
 */
export const UNSUBSCRIBE_URL_PLACEHOLDER = "https://unsubscribe.letterpress.invalid/";

export function fillUnsubscribeUrl(content: NewsletterContent, url: string): NewsletterContent {
  return {
    ...content,
    html: content.html.replaceAll(UNSUBSCRIBE_URL_PLACEHOLDER, urlInHtml(url)),
    text: content.text.replaceAll(UNSUBSCRIBE_URL_PLACEHOLDER, url),
  };
}

/** The URL as the HTML carries it: in a double-quoted attribute value. */
export function urlInHtml(url: string): string {
  return url.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
}

/**
 * Text in pieces with `url` (as the text carries it: `urlInHtml` for the
 * HTML) where the placeholder is, in pieces still: each piece is split at
 * the placeholder, not copied. For the build's archive copy, written out as
 * pieces (`TextPieces`). The placeholder must lie within one piece.
 */
export function fillUnsubscribeUrlInPieces(pieces: readonly string[], url: string): string[] {
  const filled: string[] = [];
  for (const piece of pieces) {
    const around = piece.split(UNSUBSCRIBE_URL_PLACEHOLDER);
    for (const [i, part] of around.entries()) {
      if (i > 0) filled.push(url);
      if (part) filled.push(part);
    }
  }
  return filled;
}
