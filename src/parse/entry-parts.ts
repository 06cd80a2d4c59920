/**
 * Pieces both digest formats share: entry headings, category tags and stars,
 * image names, links, and the split of a body into Chinese title, Chinese
 * summary and English abstract.
 */

/** CJK ideographs and CJK punctuation (the `。` that ends a Chinese sentence among them). */
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/** The same ranges as CJK, by code unit: a regular expression per character is slow over a long abstract. */
function isCjkCode(c: number): boolean {
  return (
    (c >= 0x3000 && c <= 0x303f) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef)
  );
}

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

export interface EntryHeading {
  number?: number;
  category?: string;
  stars: number;
  title: string;
}

const TAG = String.raw`[A-Za-z][A-Za-z0-9.+-]*`;
/** `1、[LG] *Title` (the tag may be missing; `.` is taken for `、` too). */
const NUMBERED_HEADING = new RegExp(String.raw`^(\d+)\s*[、.．]\s*(?:\[(${TAG})\])?\s*(\**)\s*(.*)$`, "u");
/** `[LG] Title` or `[LG]Title`: the tag is a code, never a bracketed list of affiliations. */
const TAGGED_HEADING = new RegExp(String.raw`^\[(${TAG})\]\s*(\**)\s*(\S.*)$`, "u");

export function matchNumberedHeading(line: string): EntryHeading | undefined {
  const m = NUMBERED_HEADING.exec(line);
  if (!m) return undefined;
  return { number: Number(m[1]), ...(m[2] ? { category: m[2] } : {}), stars: m[3]!.length, title: m[4]!.trim() };
}

export function matchTaggedHeading(line: string): EntryHeading | undefined {
  const m = TAGGED_HEADING.exec(line);
  if (!m) return undefined;
  return { category: m[1]!, stars: m[2]!.length, title: m[3]!.trim() };
}

/** A heading with neither number nor tag: stars, then the title. */
export function matchUntaggedHeading(line: string): EntryHeading {
  const m = /^(\*{1,2})\s*(\S.*)$/u.exec(line);
  return m ? { stars: m[1]!.length, title: m[2]!.trim() } : { stars: 0, title: line.trim() };
}

const URL_ONLY = /^https?:\/\/\S+$/u;

export function isUrlLine(line: string): boolean {
  return URL_ONLY.test(line);
}

/** Splits a URL off the end of a body, where the sample puts each entry's link. */
export function takeTrailingUrl(body: string): { body: string; url?: string } {
  // The last word, found from the end: a regular expression anchored with `$`
  // would be tried at every space of a long abstract.
  const end = body.trimEnd();
  const start = Math.max(end.lastIndexOf(" "), end.lastIndexOf("\n"), end.lastIndexOf("\t")) + 1;
  const word = end.slice(start);
  return URL_ONLY.test(word) ? { body: end.slice(0, start).trimEnd(), url: word } : { body };
}

/**
 * One image name: anything up to a chain of image extensions. The chain is
 * greedy, so `f01.png.jpg` is one name; the prefix is lazy, so
 * `f01.png.jpgf02.png.jpg` (two names glued together) is two.
 */
const IMAGE_NAME = /\S+?(?:\.(?:png|jpe?g|gif|webp|svg|bmp|avif))+/giu;

/** The image names on a line, or undefined when the line is not a line of images. */
export function matchImageLine(line: string): string[] | undefined {
  if (line.includes("://")) return undefined;
  const names = line.match(IMAGE_NAME);
  if (!names || line.replace(IMAGE_NAME, "").trim() !== "") return undefined;
  return names;
}

export interface BodyParts {
  chineseTitle: string;
  summary: string;
  abstract: string;
}

/**
 * A body is `中文标题。Chinese summary。** English abstract` (the `**` is
 * sometimes only a space). The Chinese title ends before the first `。`; the
 * abstract starts after the last CJK character, so Latin words inside the
 * Chinese summary (`NTK`, `bootstrapping`) stay in the summary.
 */
export function splitBody(body: string): BodyParts {
  const text = body.trim();
  let lastCjkEnd = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    if (isCjkCode(text.charCodeAt(i))) {
      lastCjkEnd = i + 1;
      break;
    }
  }
  const chinese = lastCjkEnd === -1 ? "" : text.slice(0, lastCjkEnd);
  const abstract = cleanAbstract(lastCjkEnd === -1 ? text : text.slice(lastCjkEnd));
  const stop = chinese.indexOf("。");
  if (stop === -1) return { chineseTitle: chinese.trim(), summary: "", abstract };
  return {
    chineseTitle: chinese.slice(0, stop).trim(),
    summary: chinese.slice(stop + 1).trim(),
    abstract,
  };
}

function cleanAbstract(text: string): string {
  return text.replace(/^\s*\*\*\s*/u, "").trim();
}

/** `S Fort, G K Dziugaite` → names; a Chinese comma separates too. */
export function splitAuthors(line: string): string[] {
  return line.split(/\s*[,，、]\s*/u).map((a) => a.trim()).filter(Boolean);
}

/** `Stanford University & UC Berkeley` (brackets already removed) → names. */
export function splitAffiliations(text: string): string[] {
  return text.split(/\s+&\s+/u).map((a) => a.trim()).filter(Boolean);
}
