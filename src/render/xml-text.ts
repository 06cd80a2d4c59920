import { XML_FORBIDDEN } from "../model/xml-characters.js";

/**
 * Text as it goes into XML and HTML. XML 1.0 (§2.2, `Char`) has no way to
 * carry most C0 controls, U+FFFE/U+FFFF or a lone surrogate, not even as a
 * character reference, so they are dropped; `letterpress check` warns about
 * each one (see XML_FORBIDDEN).
 */
// Without the u flag: the class holds only BMP code units, none of them a surrogate, so matching by code unit finds the same
// characters, and V8 scans faster (escapeMarkup, which runs on every text of every feed, took half the time, measured).
const XML_FORBIDDEN_ALL = new RegExp(XML_FORBIDDEN.source, "g");

export function dropXmlForbidden(text: string): string {
  return text.replace(XML_FORBIDDEN_ALL, "");
}

const MARKUP = /[&<>"]/;

/**
 * Escapes text for XML or HTML character data and double-quoted attribute
 * values alike (we write no single-quoted ones): `&`, `<`, `>`, `"`. A `]]>`
 * cannot survive, since its `>` is escaped. Forbidden characters are
 * dropped first.
 */
export function escapeMarkup(text: string): string {
  const kept = dropXmlForbidden(text);
  // Most texts have nothing to escape: one scan. The others, four passes without a callback: faster than one regular
  // expression calling a function at each match.
  if (!MARKUP.test(kept)) return kept;
  return kept.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

