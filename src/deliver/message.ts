import { createHmac } from "node:crypto";
import type { Readable } from "node:stream";
import addressparser from "nodemailer/lib/addressparser";
import DKIM from "nodemailer/lib/dkim";
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeWord, foldLines } from "nodemailer/lib/mime-funcs";
import type { Config } from "../config/schema.js";
import { requireSecret, requireSiteUrl } from "../config/load.js";
import { ConfigError } from "../errors.js";
import { fillUnsubscribeUrl, type NewsletterContent } from "../render/newsletter.js";
import { createUnsubscribeToken } from "./tokens.js";
import type { OutgoingMessage } from "./transport.js";

export interface Recipient {
  email: string;
  name?: string | undefined;
}

export interface DkimKey {
  domainName: string;
  keySelector: string;
  /** PEM. */
  privateKey: string;
}

/** Everything about a message that is the same for every recipient, resolved once per send. */
export interface MessageSettings {
  from: string;
  /** The bare address of `from`: the envelope sender. */
  fromAddress: string;
  replyTo?: string | undefined;
  /** `List-Id` as written, folded (RFC 2919: `phrase <list-label.namespace>`). */
  listIdHeader: string;
  /** The archive's address, for `List-Archive` (RFC 2369). */
  archiveUrl: string;
  unsubscribeUrl: string;
  unsubscribeMailto: string;
  secret: string;
  /** The right side of every `Message-ID`. */
  messageIdDomain: string;
  dkim?: DkimKey | undefined;
}

export function resolveMessageSettings(config: Config, dkim?: DkimKey): MessageSettings {
  const siteUrl = requireSiteUrl(config);
  const secret = requireSecret(config);
  const fromAddress = addressparser(config.email.from, { flatten: true })[0]?.address;
  if (!fromAddress || !/^[^\s@<>]+@[^\s@<>]+$/u.test(fromAddress)) {
    throw new ConfigError(`email.from: expected an address such as "Digest <digest@example.org>", got ${JSON.stringify(config.email.from)}`);
  }
  const site = new URL(siteUrl);
  const listId = config.email.listId ?? defaultListId(site);
  return {
    from: config.email.from,
    fromAddress,
    replyTo: config.email.replyTo,
    listIdHeader: foldedValue("List-Id", `${phrase(config.site.title)} <${listId}>`),
    archiveUrl: siteUrl,
    unsubscribeUrl: config.email.unsubscribeUrl ?? new URL("unsubscribe", siteUrl).href,
    unsubscribeMailto: config.email.unsubscribeMailto ?? fromAddress,
    secret,
    messageIdDomain: fromAddress.split("@")[1]!.toLowerCase(),
    dkim,
  };
}

/** `https://example.org/digest/` → `digest.example.org` (RFC 2919 wants a dotted name under a domain we hold). */
function defaultListId(site: URL): string {
  const label = site.pathname.split("/").filter(Boolean).join(".").replace(/[^A-Za-z0-9.-]/gu, "-");
  return label ? `${label}.${site.hostname}` : `list.${site.hostname}`;
}

/** An RFC 5322 phrase: a quoted string when ASCII, encoded words (RFC 2047) otherwise. */
function phrase(text: string): string {
  const clean = text.replace(/[\r\n]+/gu, " ");
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7E]*$/u.test(clean)) return `"${clean.replace(/(["\\])/gu, "\\$1")}"`;
  return encodeWord(clean, "Q", 52);
}

/** A header value folded as Nodemailer folds its own, for headers we write `prepared`. */
function foldedValue(key: string, value: string): string {
  return foldLines(`${key}: ${value}`, 76).slice(key.length + 2);
}

/** Stable per issue and recipient, so every attempt and every resend carries the same id. */
export function messageIdFor(settings: MessageSettings, date: string, email: string): string {
  const digest = createHmac("sha256", settings.secret).update(`message-id\n${date}\n${email.toLowerCase()}`).digest("hex").slice(0, 32);
  return `<${date}.${digest}@${settings.messageIdDomain}>`;
}

export function unsubscribeUrlFor(settings: MessageSettings, email: string): string {
  const url = new URL(settings.unsubscribeUrl);
  url.searchParams.set("token", createUnsubscribeToken(settings.secret, email));
  return url.href;
}

/**
 * `unsubscribeUrlFor` without parsing the URL for every recipient: the URL
 * is written once with a stand-in token and cut around it. A token is
 * base64url and a dot, which the form encoding of `searchParams` leaves as
 * they are (WHATWG URL, application/x-www-form-urlencoded serializer), so
 * the pieces around it are the same whatever the token.
 */
export function unsubscribeUrlWriter(settings: MessageSettings): (email: string) => string {
  const standIn = "LPtokenSTANDIN.0";
  const url = new URL(settings.unsubscribeUrl);
  url.searchParams.set("token", standIn);
  const [before, after, ...rest] = url.href.split(standIn);
  if (before === undefined || after === undefined || rest.length > 0) return (email) => unsubscribeUrlFor(settings, email);
  return (email) => before + createUnsubscribeToken(settings.secret, email) + after;
}

/**
 * One recipient's message. Order: fill the recipient's unsubscribe link into
 * both parts, write every header, compose the MIME once (MailComposer), then
 * sign it when a DKIM key is configured.
 *
 * The reference composition: `sendIssue` uses `createMessageTemplate`
 * (template.ts), which composes once and splices per recipient, and whose
 * output tests/deliver/template.test.ts compares with this.
 */
export async function composeMessage(content: NewsletterContent, recipient: Recipient, settings: MessageSettings, now: Date = new Date()): Promise<OutgoingMessage> {
  const unsubscribeUrl = unsubscribeUrlFor(settings, recipient.email);
  const filled = fillUnsubscribeUrl(content, unsubscribeUrl);
  const messageId = messageIdFor(settings, content.date, recipient.email);
  const composer = new MailComposer({
    ...mailHeaders(content, settings, unsubscribeUrl),
    // An address object, never a string: Nodemailer encodes the name (RFC 2047)
    // and quotes it, so commas and quotes in it cannot split the address list.
    to: { name: recipient.name ?? "", address: recipient.email },
    messageId,
    date: now,
    text: filled.text,
    html: filled.html,
  });
  // Bare LFs in a 7bit part (a text part written with "\n") become CRLF
  // on the wire (RFC 5321 §2.3.8); make them so now, so the bytes signed and
  // stored are the bytes sent. The composed message is ASCII: latin1 is lossless.
  let raw: Buffer = Buffer.from((await composer.compile().build()).toString("latin1").replace(/\r?\n/gu, "\r\n"), "latin1");
  if (settings.dkim) raw = await readAll(new DKIM({ ...settings.dkim, headerFieldNames: DKIM_SIGNED_HEADERS }).sign(raw));
  return { envelope: { from: settings.fromAddress, to: [recipient.email] }, messageId, raw };
}

/**
 * Nodemailer's default list of signed fields includes List-Unsubscribe and
 * List-Unsubscribe-Post, as RFC 8058 §4 requires for one-click; named here so
 * that stays true whatever its default becomes.
 */
export const DKIM_SIGNED_HEADERS =
  "From:Reply-To:Subject:Date:Message-ID:To:MIME-Version:Content-Type:Content-Transfer-Encoding:List-Id:List-Unsubscribe:List-Unsubscribe-Post:List-Archive";

/** The MailComposer options every recipient's message shares, with one recipient's unsubscribe URL. */
export function mailHeaders(content: NewsletterContent, settings: MessageSettings, unsubscribeUrl: string) {
  const mailto = `mailto:${settings.unsubscribeMailto}?subject=unsubscribe`;
  return {
    from: settings.from,
    ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
    // The renderer promises one line; a CR or LF would still be folded to a
    // space by Nodemailer, never start a new header. Belt and braces.
    subject: content.subject.replace(/[\r\n]+/gu, " "),
    headers: {
      // RFC 8058 §3.1: one List-Unsubscribe with the HTTPS URI, plus the
      // List-Unsubscribe-Post key; RFC 2369 allows the mailto: beside it in the
      // same header. Written `prepared`: Nodemailer's `list` option cannot hold
      // both URIs in one header, and would fold inside the long URL.
      "List-Unsubscribe": { prepared: true, value: `<${unsubscribeUrl}>, <${mailto}>` },
      "List-Unsubscribe-Post": { prepared: true, value: "List-Unsubscribe=One-Click" },
      "List-Id": { prepared: true, value: settings.listIdHeader },
      "List-Archive": { prepared: true, value: `<${settings.archiveUrl}>` },
    },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
