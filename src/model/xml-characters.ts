/**
 * Characters XML 1.0 forbids (§2.2 Char): most C0 controls and U+FFFE/U+FFFF.
 * `check` warns where they are; every XML writer drops them. No surrogates
 * here: text comes through a fatal UTF-8 decoder, which never yields a lone one.
 */
export const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
