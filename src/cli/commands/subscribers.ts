import { readFile } from "node:fs/promises";
import { InputError, formatDiagnostic } from "../../errors.js";
import { parseSubscribersCsv } from "../../subscribers/csv.js";
import { isValidAddress } from "../../subscribers/address.js";
import { SubscriberStore, type Db } from "../../subscribers/store.js";
import type { Output } from "../output.js";
import { plural } from "./check.js";

/** Reads a CSV into the store: bad rows reported with their line and skipped, the good ones kept. */
export async function importSubscribersFile(db: Db, file: string, out: Output) {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new InputError(`${file}: cannot read it: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, [], { cause });
  }
  const parsed = parseSubscribersCsv(text, file);
  for (const d of parsed.diagnostics) out.warn(formatDiagnostic(d));
  const counts = new SubscriberStore(db).importSubscribers(parsed.subscribers);
  const bad = parsed.diagnostics.filter((d) => d.severity === "error").length;
  out.info(
    `${file}: ${plural(counts.added, "subscriber")} added, ${counts.updated} updated, ${plural(bad, "bad row")} skipped, ${plural(parsed.merged, "duplicate")} merged` +
      (counts.keptInactive ? `, ${counts.keptInactive} left unsubscribed or suppressed` : ""),
  );
  return { ...counts, skipped: bad, merged: parsed.merged };
}

export function addSubscriber(db: Db, email: string, name: string | undefined, out: Output): void {
  if (!isValidAddress(email)) throw new InputError(`${JSON.stringify(email)} is not a valid address; expected e.g. reader@example.org`);
  const result = new SubscriberStore(db).add(email, name);
  out.info(result === "added" ? `added ${email}` : result === "reactivated" ? `${email} is active again` : `${email} is already subscribed`);
}

export function removeSubscriber(db: Db, email: string, out: Output): void {
  if (!new SubscriberStore(db).unsubscribe(email, "removed by the editor")) throw new InputError(`${email} is not on the list; \`letterpress subscribers list\` shows who is`);
  out.info(`${email} is unsubscribed (kept on record, so an import will not add it back)`);
}

export function listSubscribers(db: Db, out: Output): void {
  const all = new SubscriberStore(db).list();
  for (const s of all) out.info([s.email, s.name ?? "", s.status, s.reason ?? ""].join("\t").trimEnd());
  const active = all.filter((s) => s.status === "active").length;
  out.info(`${plural(all.length, "subscriber")}, ${active} active`);
}
