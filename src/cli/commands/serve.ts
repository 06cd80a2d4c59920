import { existsSync } from "node:fs";
import { InputError } from "../../errors.js";
import { requireSecret } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { startPreviewServer, type PreviewServer } from "../../serve/server.js";
import { SubscriberStore, openDatabase } from "../../subscribers/store.js";
import type { Output } from "../output.js";

/** `letterpress serve`: preview of `out/` and the unsubscribe endpoint; runs until interrupted. */
export async function runServe(options: { port: number; outDir: string; host?: string; config: Config; out: Output }): Promise<PreviewServer & { closeAll(): Promise<void> }> {
  const secret = requireSecret(options.config);
  if (!existsSync(options.outDir)) throw new InputError(`${options.outDir} does not exist; run \`letterpress build\` first, or pass --out`);
  const db = openDatabase(options.config.database);
  const server = await startPreviewServer({
    outDir: options.outDir,
    port: options.port,
    host: options.host ?? "127.0.0.1",
    secret,
    store: new SubscriberStore(db),
    onUnsubscribe: (email) => options.out.info(`unsubscribed ${email}`),
  });
  options.out.info(`serving ${options.outDir} on ${server.url} (unsubscribe at ${server.url}unsubscribe; Ctrl-C stops)`);
  return {
    ...server,
    port: server.port,
    url: server.url,
    async closeAll() {
      await server.close();
      db.close();
    },
  };
}
