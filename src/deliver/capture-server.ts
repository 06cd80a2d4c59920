import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { saveMessageFile } from "./transports/capture.js";

export interface CapturedMessage {
  file: string;
  from: string;
  to: string[];
  bytes: number;
  messageId?: string;
}

export interface CaptureServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface CaptureServerOptions {
  port: number;
  dir: string;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  onMessage?: (message: CapturedMessage) => void;
}

/**
 * `letterpress capture`: a real SMTP server that takes any message from
 * anyone and saves it as `.eml` (atomically, see `saveMessageFile`); a local
 * stand-in for a mail server. Plain text, no STARTTLS, any AUTH accepted:
 * it listens on the loopback interface only.
 */
export async function startCaptureServer(options: CaptureServerOptions): Promise<CaptureServer> {
  const server = new SMTPServer({
    name: "letterpress-capture",
    banner: "letterpress capture server",
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    size: 50 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "anonymous" });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        saveMessageFile(options.dir, raw).then(
          (file) => {
            const messageId = /^Message-ID:\s*(<[^>\r\n]*>)/imu.exec(raw.subarray(0, 64 * 1024).toString("latin1"))?.[1];
            options.onMessage?.({
              file,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
              bytes: raw.length,
              ...(messageId ? { messageId } : {}),
            });
            callback(null, `Saved as ${file}`);
          },
          (err: Error) => callback(Object.assign(new Error(`cannot save the message: ${err.message}`), { responseCode: 451 })),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
