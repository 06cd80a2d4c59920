import { startCaptureServer, type CaptureServer } from "../../deliver/capture-server.js";
import type { Output } from "../output.js";

/** `letterpress capture`: runs until interrupted, one line per message. */
export async function runCapture(options: { port: number; dir: string; out: Output }): Promise<CaptureServer> {
  const server = await startCaptureServer({
    port: options.port,
    dir: options.dir,
    onMessage: (m) => options.out.info(`${m.messageId ?? "(no Message-ID)"} from ${m.from || "<>"} to ${m.to.join(", ")}: ${m.bytes} bytes, ${m.file}`),
  });
  options.out.info(`capturing mail on smtp://127.0.0.1:${server.port} into ${options.dir} (Ctrl-C stops)`);
  return server;
}
