import type { AddressInfo, Socket } from "node:net";
import { SMTPServer } from "smtp-server";

/** What the test server did with one message it confirmed (250). */
export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** `BODY=` of its MAIL FROM (RFC 6152): "7bit" unless the client said 8BITMIME. */
  bodyType: string;
}

export interface FaultPlan {
  /** A reply to RCPT TO for this address on this attempt (1-based), or undefined to accept. */
  rcptReply?: (address: string, attempt: number) => { code: number; message: string } | undefined;
  /** Drop the connection at the next MAIL FROM after every this many confirmed messages, up to `drops` times. */
  dropEvery?: number;
  drops?: number;
  /** Wait this long between the end of DATA and the 250 (a slow server). */
  confirmDelayMs?: number;
  /**
   * Keep the message (the server has it) but drop the connection instead of
   * answering, for this many messages: the client cannot know it arrived.
   */
  keepAndDropAfterData?: number;
  /** Offer AUTH (without TLS) and refuse every login with 535. */
  refuseLogin?: boolean;
  /** Leave 8BITMIME out of the EHLO reply (a server that takes 7-bit bodies only). */
  hide8BitMime?: boolean;
}

export interface FaultSmtpServer {
  readonly port: number;
  readonly url: string;
  /** Messages confirmed with 250 (or kept, see `keepAndDropAfterData`), in order. */
  readonly received: ReceivedMessage[];
  /** Connections dropped on purpose. */
  readonly dropped: number;
  /** MAIL FROM commands seen: one per attempt to send a message. */
  readonly transactions: number;
  /** Messages fully received and not confirmed yet (see `confirmDelayMs`). */
  readonly awaitingConfirmation: number;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and a free port, that fails
 * on demand: chosen RCPT replies, connections dropped mid-session, slow
 * confirmations. Only confirmed messages are recorded.
 */
export async function startFaultSmtpServer(plan: FaultPlan = {}): Promise<FaultSmtpServer> {
  const received: ReceivedMessage[] = [];
  const rcptAttempts = new Map<string, number>();
  const sockets = new Map<number, Socket>();
  let dropped = 0;
  let awaitingConfirmation = 0;
  let keptAndDropped = 0;
  let transactions = 0;
  let confirmedAtLastDrop = 0;

  const server = new SMTPServer({
    disabledCommands: plan.refuseLogin ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !plan.refuseLogin,
    allowInsecureAuth: true,
    onAuth(_auth, _session, callback) {
      callback(Object.assign(new Error("5.7.8 authentication failed"), { responseCode: 535 }));
    },
    disableReverseLookup: true,
    hide8BITMIME: Boolean(plan.hide8BitMime),
    logger: false,
    onMailFrom(_address, session, callback) {
      transactions++;
      const every = plan.dropEvery;
      if (every && dropped < (plan.drops ?? Infinity) && received.length - confirmedAtLastDrop >= every) {
        dropped++;
        confirmedAtLastDrop = received.length;
        sockets.get(session.remotePort)?.destroy();
        return;
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      const key = address.address.toLowerCase();
      const attempt = (rcptAttempts.get(key) ?? 0) + 1;
      rcptAttempts.set(key, attempt);
      const reply = plan.rcptReply?.(key, attempt);
      if (reply) return callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (keptAndDropped < (plan.keepAndDropAfterData ?? 0)) {
          keptAndDropped++;
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks), bodyType: bodyTypeOf(session) });
          sockets.get(session.remotePort)?.destroy();
          return;
        }
        awaitingConfirmation++;
        const confirm = () => {
          awaitingConfirmation--;
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            bodyType: bodyTypeOf(session),
          });
          callback(null, "OK queued");
        };
        if (plan.confirmDelayMs) setTimeout(confirm, plan.confirmDelayMs);
        else confirm();
      });
    },
  });
  server.server.on("connection", (socket: Socket) => {
    if (socket.remotePort) sockets.set(socket.remotePort, socket);
    socket.on("close", () => socket.remotePort && sockets.delete(socket.remotePort));
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get dropped() {
      return dropped;
    },
    get transactions() {
      return transactions;
    },
    get awaitingConfirmation() {
      return awaitingConfirmation;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** Confirmed copies per recipient address (lower case). */
export function copiesByRecipient(received: readonly ReceivedMessage[]): Map<string, ReceivedMessage[]> {
  const byRecipient = new Map<string, ReceivedMessage[]>();
  for (const m of received) {
    for (const to of m.to) {
      const key = to.toLowerCase();
      byRecipient.set(key, [...(byRecipient.get(key) ?? []), m]);
    }
  }
  return byRecipient;
}

export function messageIdOf(raw: Buffer): string | undefined {
  return /^Message-ID:\s*(<[^>\r\n]*>)/imu.exec(raw.toString("latin1"))?.[1];
}

function bodyTypeOf(session: { envelope: object }): string {
  const bodyType = (session.envelope as { bodyType?: unknown }).bodyType;
  return typeof bodyType === "string" ? bodyType : "7bit";
}
