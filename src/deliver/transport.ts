import { ConfigError } from "../errors.js";
import type { Config } from "../config/schema.js";
import { createCaptureTransport } from "./transports/capture.js";
import { createSmtpTransport } from "./transports/smtp.js";

/** One message, fully composed (and signed): a transport only moves these bytes. */
export interface OutgoingMessage {
  envelope: { from: string; to: string[] };
  messageId: string;
  raw: Buffer;
  /** A part is in 8bit: the server must be told (`BODY=8BITMIME`, RFC 6152). */
  eightBit?: boolean;
}

export interface SendReceipt {
  /** The server's final reply (`250 OK: queued as …`), or where the file went. */
  response: string;
  /**
   * Whether the server announced 8BITMIME (RFC 6152) on the connection that
   * took this message; undefined when the transport does not know (a file).
   */
  eightBitMime?: boolean;
}

export interface Transport {
  readonly name: string;
  /** Most messages worth having in flight at once. */
  readonly concurrency: number;
  /**
   * Most messages worth handing over at once, when the transport queues some
   * beyond `concurrency` (a pool hands the next to a connection the moment
   * it is free); default `concurrency`. Each is a `sending` row in the ledger.
   */
  readonly pipeline?: number;
  send(message: OutgoingMessage): Promise<SendReceipt>;
  /** What the person sending should know about how this transport will send (said once, before the first message). */
  notices?(): Promise<string[]>;
  close(): Promise<void>;
}

export type TransportFactory = (url: string, config: Config) => Transport;

const factories: Record<string, TransportFactory> = {
  "smtp:": createSmtpTransport,
  "smtps:": createSmtpTransport,
  "capture:": createCaptureTransport,
};

/** A transport from its URL (`config.transport`, which `SMTP_URL` and `--smtp` override). */
export function createTransport(url: string, config: Config): Transport {
  const scheme = /^[a-z][a-z0-9+.-]*:/iu.exec(url)?.[0].toLowerCase();
  const factory = scheme ? factories[scheme] : undefined;
  if (!factory) {
    throw new ConfigError(`transport: unknown transport ${JSON.stringify(redactUrl(url))}; expected one of ${Object.keys(factories).map((s) => `${s}//…`).join(", ")}`);
  }
  return factory(url, config);
}

/** A URL fit for messages: the password replaced. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/iu, "$1***@");
}
