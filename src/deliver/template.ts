import type { Readable } from "node:stream";
import DKIM from "nodemailer/lib/dkim";
import MailComposer from "nodemailer/lib/mail-composer";
import MimeNode from "nodemailer/lib/mime-node";
import { foldLines } from "nodemailer/lib/mime-funcs";
import * as qp from "nodemailer/lib/qp";
import { fillUnsubscribeUrl, linesOver, type NewsletterContent } from "../render/newsletter.js";
import { DKIM_SIGNED_HEADERS, mailHeaders, messageIdFor, unsubscribeUrlWriter, type MessageSettings, type Recipient } from "./message.js";
import type { OutgoingMessage } from "./transport.js";

/**
 * An issue's message composed once, for every recipient: `composeMessage`
 * builds each message with Nodemailer's MailComposer (milliseconds for a
 * digest, mostly encoding the two parts); this builds it once with slots and
 * splices in what differs per recipient (about 0.1 ms). What differs: the `To` header, the
 * `Date`, the `Message-ID`, the unsubscribe URL in `List-Unsubscribe`, and
 * the same URL inside the text and HTML parts.
 *
 * The headers come from MailComposer itself, written with recognisable slot
 * values; the per-recipient values are written by the same Nodemailer code
 * (`MimeNode.encodeHeaderValue` and `foldLines`, RFC 2047 for the name), so
 * the bytes are what `composeMessage` writes. The parts: MailComposer picks
 * each part's transfer encoding from the content, which differs by the URL;
 * the same pick is made here (see `pick`) and the part encoded with it.
 * Only the bytes from a line boundary before the first URL on are encoded
 * per recipient (base64: a multiple of 57 bytes, one 76-character line;
 * quoted-printable: a line break where Nodemailer's wrapping restarts), the
 * rest once; the split is checked once, with two URLs, against encoding the
 * whole part. tests/deliver/template.test.ts compares the output with
 * composeMessage's byte for byte (but for the multipart boundaries).
 */
export interface MessageTemplate {
  compose(recipient: Recipient, now?: Date, options?: ComposeOptions): Promise<OutgoingMessage>;
}

export interface ComposeOptions {
  /**
   * The server announced 8BITMIME (RFC 6152): a part whose lines fit is sent
   * as it is (`Content-Transfer-Encoding: 8bit`) instead of quoted-printable
   * or base64, and the message says so (`eightBit`, for `BODY=8BITMIME`).
   * Never with DKIM: RFC 6376 §5.3 asks signers to use a 7-bit encoding, so
   * that a relay downgrading the message does not break the signature.
   */
  eightBit?: boolean;
}

/** Whether a text part can go as it is, in 8bit (RFC 2045 §2.8): lines of at most 998 octets, no NUL, and no CR but in CRLF. */
export function fitsEightBit(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/\u0000|\r(?!\n)/u.test(text) && linesOver(text).length === 0;
}

/** For the one check of a part's split encoding: a long address (RFC 5321 §4.5.3.1.3 caps a path at 256). */
const LONG_ADDRESS = `${"x".repeat(64)}@${"y".repeat(189)}`;

const TO_SLOT = "to-slot@letterpress-slot.invalid";
const MESSAGE_ID_SLOT = "<message-id-slot@letterpress-slot.invalid>";
const URL_SLOT = "https://url-slot.letterpress-slot.invalid/";
/** Twelve characters: base64 writes them as sixteen, whole, with no padding. */
const TEXT_SLOT = "LPtextSLOT01";
const HTML_SLOT = "LPhtmlSLOT02";
/** `Date` as Nodemailer writes it, for a fixed time nobody sends at. */
const DATE_SLOT_TIME = new Date(Date.UTC(1999, 0, 1, 0, 0, 0));
const DATE_SLOT = formatDate(DATE_SLOT_TIME);

type Transfer = "base64" | "quoted-printable" | "7bit" | "8bit";

/** How Nodemailer writes `Date` (mime-node: toUTCString with +0000). */
function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT/u, "+0000");
}

function encodeBase64(bytes: Buffer): string {
  const b64 = bytes.toString("base64");
  if (b64.length <= 76) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join("\r\n");
}

function encodePart(transfer: Transfer, bytes: Buffer): string {
  switch (transfer) {
    case "base64":
      return encodeBase64(bytes);
    case "quoted-printable":
      // Bare LFs are line breaks in a text part; CRLF on the wire (RFC 5321 §2.3.8), as composeMessage makes them.
      return qp.wrap(qp.encode(bytes), 76).replace(/\r?\n/gu, "\r\n");
    case "7bit":
    case "8bit":
      // Bytes as they are (UTF-8 read as latin1 is lossless), CRLF line breaks.
      return bytes.toString("latin1").replace(/\r?\n/gu, "\r\n");
  }
}

/**
 * Letters and "non-latin" characters as MimeNode._getTextEncoding counts them
 * to choose between quoted-printable (more letters) and base64.
 */
function letterCounts(text: string): { latin: number; nonLatin: number } {
  let latin = 0;
  let nonLatin = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x08 || code === 0x0b || code === 0x0c || (code >= 0x0e && code <= 0x1f) || code >= 0x80) nonLatin++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
  }
  return { latin, nonLatin };
}

/** The transfer encoding MailComposer would pick for this text part. */
function pickTransfer(contentType: string, content: string): Transfer {
  const node = new MimeNode(contentType);
  node.setContent(content);
  const picked = node.getTransferEncoding();
  if (picked === "base64" || picked === "quoted-printable" || picked === "7bit") return picked;
  throw new Error(`unexpected transfer encoding ${picked} for ${contentType}`);
}

/** One part: the bytes around each URL, and the encoded bytes before the first that never change. */
class PartSlot {
  private readonly pieces: Buffer[];
  /** The encoded bytes before the cut, latin1 (every encoding here writes ASCII, or bytes as they are). */
  private fixedEncoded: Buffer = Buffer.alloc(0);
  private fixedBytes = 0;

  constructor(
    readonly transfer: Transfer,
    body: string,
    marker: string,
    private readonly escape: (url: string) => string,
  ) {
    this.pieces = body.split(marker).map((piece) => Buffer.from(piece, "utf8"));
    if (this.pieces.length === 1) return;
    const head = this.pieces[0]!;
    // Two URLs of different lengths and letters: a cut must give, for both,
    // the bytes that encoding the whole part gives.
    const probes = [new URL(`?token=${LONG_ADDRESS}`, URL_SLOT).href, new URL("?token=cmVhZGVyQGV4YW1wbGUub3Jn.0123456789-_abcdefghijklmnopqrstuvwxyzABCDEFG", URL_SLOT).href];
    const wholes = probes.map((url) => encodePart(transfer, this.join(this.escape(url), 0)));
    const fits = (cut: number) => {
      this.fixedBytes = cut;
      // Base64 lines end where the next begins; quoted-printable and 7bit cuts follow a line break, already encoded.
      this.fixedEncoded = Buffer.from(cut === 0 ? "" : encodePart(transfer, head.subarray(0, cut)) + (transfer === "base64" ? "\r\n" : ""), "latin1");
      return probes.every((url, i) => Buffer.concat(this.encode(url)).toString("latin1") === wholes[i]);
    };
    if (transfer === "base64") {
      // Whole 57-byte groups: one 76-character line each (RFC 2045 §6.8).
      if (fits(Math.floor(head.length / 57) * 57)) return;
    } else {
      // After a line break where Nodemailer's quoted-printable wrapping starts
      // a new line: it carries no state past one. Tried from the URL backwards.
      let tries = 0;
      for (let at = head.lastIndexOf(0x0a); at >= 0 && tries < 200; at = head.lastIndexOf(0x0a, at - 1), tries++) {
        if (fits(at + 1)) return;
      }
    }
    fits(0);
  }

  private join(url: string, from: number): Buffer {
    const filled = Buffer.from(url, "utf8");
    const parts: Buffer[] = [this.pieces[0]!.subarray(from)];
    for (let i = 1; i < this.pieces.length; i++) parts.push(filled, this.pieces[i]!);
    return Buffer.concat(parts);
  }

  /** The part's body for this URL: the bytes encoded once, then those encoded now (from the cut on). */
  encode(url: string): [Buffer, Buffer] {
    return [this.fixedEncoded, Buffer.from(encodePart(this.transfer, this.join(this.escape(url), this.fixedBytes)), "latin1")];
  }
}

export async function createMessageTemplate(content: NewsletterContent, settings: MessageSettings): Promise<MessageTemplate> {
  // The parts as composeMessage fills them, with a marker where the URL goes
  // (NULs: never in a rendered newsletter, untouched by the HTML escaping).
  const marker = "\u0000letterpress-url\u0000";
  const marked = fillUnsubscribeUrl(content, marker);
  const escapeHtml = (url: string) => url.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  const part = (contentType: string, markedBody: string, escape: (url: string) => string) => ({
    contentType,
    marked: markedBody,
    escape,
    slots: new Map<Transfer, PartSlot>(),
    picks: new Map<string, Transfer>(),
    markers: markedBody.split(marker).length - 1,
    counts: letterCounts(markedBody.replaceAll(marker, "")),
  });
  const parts = {
    text: part("text/plain; charset=utf-8", marked.text, (url: string) => url),
    html: part("text/html; charset=utf-8", marked.html, escapeHtml),
  };
  // 8bit only pays for a part with 8-bit bytes in it (an ASCII one is 7bit or quoted-printable for its long lines).
  const eightBitWorthIt = { text: /[^\x00-\x7F]/u.test(marked.text), html: /[^\x00-\x7F]/u.test(marked.html) };
  type Part = (typeof parts)["text"];

  /**
   * The transfer encoding MailComposer picks for this part with this URL in
   * it. It counts letters against non-ASCII characters (Q or B) and looks for
   * lines over 76 characters (7bit or not); the URL is the only thing that
   * differs, and only by its length and how many letters it has (it is
   * ASCII), so the pick is made with Nodemailer's own code once per length
   * and side of the letters-against-the-rest comparison (a few per send; per
   * letter count, it was dozens, each reading the whole part).
   */
  const pick = (part: Part, url: string, eightBit: boolean): Transfer => {
    const escaped = part.escape(url);
    const letters = letterCounts(escaped).latin * part.markers;
    const key = `${part.counts.nonLatin < part.counts.latin + letters}:${escaped.length}:${eightBit}`;
    let transfer = part.picks.get(key);
    if (!transfer) {
      const filled = part.marked.replaceAll(marker, escaped);
      // With 8bit, whether the lines fit depends on the URL's length only, which is in the key.
      transfer = eightBit && fitsEightBit(filled) ? "8bit" : pickTransfer(part.contentType, filled);
      part.picks.set(key, transfer);
    }
    return transfer;
  };
  const slot = (part: Part, transfer: Transfer): PartSlot => {
    let found = part.slots.get(transfer);
    if (!found) {
      found = new PartSlot(transfer, part.marked, marker, part.escape);
      part.slots.set(transfer, found);
    }
    return found;
  };

  // One skeleton per pair of transfer encodings met (usually one).
  const skeletons = new Map<string, Promise<Skeleton>>();
  const skeleton = (textTransfer: Transfer, htmlTransfer: Transfer): Promise<Skeleton> => {
    const key = `${textTransfer}/${htmlTransfer}`;
    let found = skeletons.get(key);
    if (!found) {
      found = buildSkeleton(content, settings, slot(parts.text, textTransfer), slot(parts.html, htmlTransfer));
      skeletons.set(key, found);
    }
    return found;
  };

  const unsubscribeUrlOf = unsubscribeUrlWriter(settings);
  let dateSecond = -1;
  let dateText = "";
  return {
    async compose(recipient: Recipient, now: Date = new Date(), options: ComposeOptions = {}): Promise<OutgoingMessage> {
      const second = Math.floor(now.getTime() / 1000);
      if (second !== dateSecond) {
        dateSecond = second;
        dateText = formatDate(now);
      }
      const messageId = messageIdFor(settings, content.date, recipient.email);
      const url = unsubscribeUrlOf(recipient.email);
      const values: SlotValues = { toHeader: foldLines(`To: ${encodeAddressHeader(recipient)}`, 76), messageId, date: dateText, url };
      const eightBit = Boolean(options.eightBit) && !settings.dkim;
      const textTransfer = pick(parts.text, url, eightBit && eightBitWorthIt.text);
      const htmlTransfer = pick(parts.html, url, eightBit && eightBitWorthIt.html);
      const pieces = await skeleton(textTransfer, htmlTransfer);
      const bytes: Buffer[] = [];
      for (const piece of pieces) {
        if (Buffer.isBuffer(piece)) bytes.push(piece);
        else {
          const written = piece(values);
          if (typeof written === "string") bytes.push(Buffer.from(written, "latin1"));
          else bytes.push(...written);
        }
      }
      let raw: Buffer = Buffer.concat(bytes);
      if (settings.dkim) raw = await readAll(new DKIM({ ...settings.dkim, headerFieldNames: DKIM_SIGNED_HEADERS }).sign(raw));
      return { envelope: { from: settings.fromAddress, to: [recipient.email] }, messageId, raw, ...(textTransfer === "8bit" || htmlTransfer === "8bit" ? { eightBit: true } : {}) };
    },
  };
}

/** What differs per recipient: a header value (ASCII) or a part's body in bytes. */
type SlotWriter = (values: SlotValues) => string | Buffer[];

/** The message in pieces: bytes the same for everyone, and writers of what differs. */
type Skeleton = (Buffer | SlotWriter)[];

/** MailComposer's message with slot values, cut at each slot. */
async function buildSkeleton(content: NewsletterContent, settings: MessageSettings, text: PartSlot, html: PartSlot): Promise<Skeleton> {
  const composer = new MailComposer({
    ...mailHeaders(content, settings, URL_SLOT),
    to: TO_SLOT,
    messageId: MESSAGE_ID_SLOT,
    date: DATE_SLOT_TIME,
    // An ASCII slot is written as it is in 7bit and quoted-printable, and as its base64 in base64.
    // MailComposer never writes a text part in 8bit: it is asked for quoted-printable, and the header changed below.
    text: { content: TEXT_SLOT, ...(text.transfer === "7bit" ? {} : { contentTransferEncoding: text.transfer === "8bit" ? "quoted-printable" : text.transfer }) },
    html: { content: HTML_SLOT, ...(html.transfer === "7bit" ? {} : { contentTransferEncoding: html.transfer === "8bit" ? "quoted-printable" : html.transfer }) },
  });
  let built = (await composer.compile().build()).toString("latin1").replace(/\r?\n/gu, "\r\n");
  for (const [part, slotText] of [[text, TEXT_SLOT], [html, HTML_SLOT]] as const) {
    if (part.transfer === "8bit") built = setPartTransfer(built, slotText, "8bit");
  }
  const writers: [string, SlotWriter][] = [
    [`To: ${TO_SLOT}`, (v) => v.toHeader],
    [MESSAGE_ID_SLOT, (v) => v.messageId],
    [DATE_SLOT, (v) => v.date],
    [URL_SLOT, (v) => v.url],
    [text.transfer === "base64" ? Buffer.from(TEXT_SLOT).toString("base64") : TEXT_SLOT, (v) => text.encode(v.url)],
    [html.transfer === "base64" ? Buffer.from(HTML_SLOT).toString("base64") : HTML_SLOT, (v) => html.encode(v.url)],
  ];
  let pieces: (string | SlotWriter)[] = [built];
  for (const [slotText, write] of writers) {
    const next: typeof pieces = [];
    let found = 0;
    for (const piece of pieces) {
      if (typeof piece !== "string") {
        next.push(piece);
        continue;
      }
      const split = piece.split(slotText);
      found += split.length - 1;
      split.forEach((s, i) => {
        if (i > 0) next.push(write);
        if (s) next.push(s);
      });
    }
    // Each slot exactly once, where MailComposer wrote it (the URL: in List-Unsubscribe; the parts have their own slots).
    if (found !== 1) throw new Error(`message template: slot ${JSON.stringify(slotText)} found ${found} times`);
    pieces = next;
  }
  return pieces.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p));
}

/** Rewrites `Content-Transfer-Encoding` in the headers of the part whose body is `slotText`. */
function setPartTransfer(built: string, slotText: string, transfer: Transfer): string {
  const body = built.indexOf(`\r\n\r\n${slotText}`);
  const headers = built.lastIndexOf("\r\n--", body);
  if (body < 0 || headers < 0) throw new Error(`message template: no part headers before ${slotText}`);
  const head = built.slice(headers, body);
  const changed = head.replace(/\r\nContent-Transfer-Encoding: [^\r]*/u, `\r\nContent-Transfer-Encoding: ${transfer}`);
  if (changed === head) throw new Error(`message template: no Content-Transfer-Encoding before ${slotText}`);
  return built.slice(0, headers) + changed + built.slice(body);
}

interface SlotValues {
  toHeader: string;
  messageId: string;
  date: string;
  url: string;
}

/** One node, reused: a new MimeNode draws random bytes for its boundary. */
const headerEncoder = new MimeNode() as unknown as { encodeHeaderValue(key: string, value: unknown): string };

/** `To`'s value as MailComposer writes it for an address object (name RFC 2047-encoded and quoted as needed). */
function encodeAddressHeader(recipient: Recipient): string {
  return headerEncoder.encodeHeaderValue("To", { name: recipient.name ?? "", address: recipient.email });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
