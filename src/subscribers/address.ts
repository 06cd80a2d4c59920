/**
 * What letterpress accepts as a subscriber's address: the common dot-atom
 * form of RFC 5322 (`local@domain.tld`), no quoted local parts, no comments,
 * at most 254 characters (RFC 5321's path limit less the angle brackets).
 * Stricter than the RFCs on purpose: a list is no place for exotic forms.
 */
const ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/u;

export function isValidAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** Addresses are compared without case: two spellings are one subscriber. */
export function addressKey(address: string): string {
  return address.toLowerCase();
}

/** A display name fit for a header: no control characters, collapsed spaces. */
export function cleanName(name: string): string {
  return name.replace(/[\u0000-\u001F\u007F]+/gu, " ").replace(/\s+/gu, " ").trim();
}
