import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";
import { verifyUnsubscribeToken } from "../deliver/tokens.js";
import type { SubscriberStore } from "../subscribers/store.js";

export interface PreviewServerOptions {
  outDir: string;
  port: number;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  secret: string;
  store: SubscriberStore;
  onUnsubscribe?: (email: string) => void;
}

export interface PreviewServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".avif": "image/avif",
  ".eml": "message/rfc822",
};

/**
 * `letterpress serve`: `out/` for preview, and the unsubscribe endpoint at
 * any path ending in `/unsubscribe` (so both `/unsubscribe` and the site's
 * own `/digest/unsubscribe` work).
 *
 * RFC 8058: `POST …?token=…` with the body `List-Unsubscribe=One-Click`
 * unsubscribes at once (no cookie, no CSRF token, no redirect; 200). `GET`
 * only shows a page with a confirm button and changes nothing, because mail
 * scanners and link previews fetch every link they see. A forged or altered
 * token gets 400 and changes nothing.
 */
export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const root = await realpath(resolve(options.outDir));
  const server = createServer((req, res) => {
    handle(req, res, root, options).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy(err as Error);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port, options.host ?? "127.0.0.1", () => done());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    port: address.port,
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, root: string, options: PreviewServerOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/unsubscribe" || url.pathname.endsWith("/unsubscribe")) return unsubscribe(req, res, url, options);
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
  }
  const file = await resolveInside(root, url.pathname);
  if (!file) return send(res, 404, "text/plain; charset=utf-8", "not found\n");
  res.writeHead(200, {
    "Content-Type": CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": String((await stat(file)).size),
    "X-Content-Type-Options": "nosniff",
  });
  if (req.method === "HEAD") return void res.end();
  await new Promise<void>((done, fail) => createReadStream(file).on("error", fail).on("end", done).pipe(res));
}

/**
 * The file a request path names, or undefined. Decoded once, then resolved
 * and checked with symbolic links followed, so no spelling (`..`, `%2e%2e`,
 * `%2f`, backslashes, a link pointing out) reaches outside `root`.
 */
async function resolveInside(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  let candidate = resolve(root, `.${sep}${decoded.replaceAll("\\", "/")}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  try {
    if ((await stat(candidate)).isDirectory()) candidate = join(candidate, "index.html");
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

async function unsubscribe(req: IncomingMessage, res: ServerResponse, url: URL, options: PreviewServerOptions): Promise<void> {
  const token = url.searchParams.get("token") ?? "";
  const email = verifyUnsubscribeToken(options.secret, token);
  if (req.method === "POST") {
    const body = await readBody(req, 4096);
    if (body === undefined) return send(res, 413, "text/plain; charset=utf-8", "request body too large\n");
    if (!email) return send(res, 400, "text/html; charset=utf-8", page("Invalid link", "<p>This unsubscribe link is not valid. Use the link from the latest email.</p>"));
    if (!isOneClickBody(req.headers["content-type"], body)) {
      return send(res, 400, "text/html; charset=utf-8", page("Not a one-click request", "<p>Expected the form field <code>List-Unsubscribe=One-Click</code>.</p>"));
    }
    options.store.unsubscribe(email, "one-click unsubscribe");
    options.onUnsubscribe?.(email);
    return send(res, 200, "text/html; charset=utf-8", page("Unsubscribed", `<p>${escapeHtml(email)} will get no more issues.</p>`));
  }
  if (req.method === "GET" || req.method === "HEAD") {
    if (!email) return send(res, 400, "text/html; charset=utf-8", page("Invalid link", "<p>This unsubscribe link is not valid. Use the link from the latest email.</p>"));
    const action = `?token=${encodeURIComponent(token)}`;
    return send(
      res,
      200,
      "text/html; charset=utf-8",
      page(
        "Unsubscribe",
        `<p>Stop sending issues to ${escapeHtml(email)}?</p>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
      ),
    );
  }
  res.setHeader("Allow", "GET, HEAD, POST");
  return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
}

/**
 * RFC 8058 §3.1: the POST carries the field `List-Unsubscribe=One-Click`,
 * as `application/x-www-form-urlencoded` or `multipart/form-data`.
 */
function isOneClickBody(contentType: string | undefined, body: string): boolean {
  if (contentType && /^multipart\/form-data/iu.test(contentType)) {
    return /content-disposition:\s*form-data;\s*name="?List-Unsubscribe"?\s*\r?\n\r?\nOne-Click\r?\n/iu.test(body);
  }
  return new URLSearchParams(body.trim()).get("List-Unsubscribe") === "One-Click";
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": String(Buffer.byteLength(body)), "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>\n<body><h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}
