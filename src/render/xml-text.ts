import { XML_FORBIDDEN } from "../model/xml-characters.js";

/**
 * Text as it goes into XML and HTML. XML 1.0 (§2.2, `Char`) has no way to
 * carry most C0 controls, U+FFFE/U+FFFF or a lone surrogate, not even as a
 * character reference, so they are dropped; `letterpress check` warns about
 * each one (see XML_FORBIDDEN).
 */
const XML_FORBIDDEN_ALL = new RegExp(XML_FORBIDDEN.source, "gu");

export function dropXmlForbidden(text: string): string {
  return text.replace(XML_FORBIDDEN_ALL, "");
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/**
 * Escapes text for XML or HTML character data and double-quoted attribute
 * values alike (we write no single-quoted ones): `&`, `<`, `>`, `"`. A `]]>`
 * cannot survive, since its `>` is escaped. Forbidden characters are
 * dropped first.
 */
export function escapeMarkup(text: string): string {
  return dropXmlForbidden(text).replace(/[&<>"]/gu, (c) => ESCAPES[c]!);
}
