import { parse } from "csv-parse/sync";
import { error, warning, type Diagnostic } from "../errors.js";
import { addressKey, cleanName, isValidAddress } from "./address.js";

export interface SubscriberRow {
  email: string;
  name?: string;
  /** The row's line in the file, for messages. */
  line: number;
}

export interface CsvImport {
  subscribers: SubscriberRow[];
  /** One per bad row (skipped) and per duplicate (merged). */
  diagnostics: Diagnostic[];
  /** Rows merged into an earlier row with the same address. */
  merged: number;
}

/**
 * Reads a subscriber CSV: a header row with at least `email` (any case),
 * `name` optional, other columns ignored. Order: parse with csv-parse
 * (quoted fields, commas and newlines inside quotes, a BOM), then check each
 * row. A bad row is reported with its line and skipped; good rows are kept.
 * The same address twice (any case) is merged: the first row wins, a later
 * row may supply a missing name.
 */
export function parseSubscribersCsv(text: string, file: string): CsvImport {
  const diagnostics: Diagnostic[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) diagnostics.push(error({ file, line: Number((err as { lines?: number }).lines) }, `${err.message}; the row was skipped`));
        return undefined;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (cause) {
    const line = (cause as { lines?: number }).lines;
    throw Object.assign(new Error(`${file}${line ? `:${line}` : ""}: not a readable CSV file: ${(cause as Error).message}`, { cause }), { diagnostics });
  }
  const [header, ...rows] = records;
  if (!header) return { subscribers: [], diagnostics: [error({ file }, "the file is empty; expected a header row with an `email` column")], merged: 0 };
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const emailColumn = columns.indexOf("email");
  const nameColumn = columns.indexOf("name");
  if (emailColumn < 0) {
    return { subscribers: [], diagnostics: [error({ file, line: header.info.lines }, "the header row has no `email` column; add one (and optionally `name`)")], merged: 0 };
  }

  const byKey = new Map<string, SubscriberRow>();
  let merged = 0;
  for (const { record, info } of rows) {
    const line = info.lines;
    const email = (record[emailColumn] ?? "").trim();
    const name = nameColumn >= 0 ? cleanName(record[nameColumn] ?? "") : "";
    if (!email) {
      diagnostics.push(error({ file, line }, "no address in the `email` column; the row was skipped"));
      continue;
    }
    if (!isValidAddress(email)) {
      diagnostics.push(error({ file, line }, `${JSON.stringify(email)} is not a valid address; the row was skipped`));
      continue;
    }
    const earlier = byKey.get(addressKey(email));
    if (earlier) {
      merged++;
      diagnostics.push(warning({ file, line }, `${email} is already on line ${earlier.line}; merged into it`));
      if (!earlier.name && name) earlier.name = name;
      continue;
    }
    byKey.set(addressKey(email), { email, line, ...(name ? { name } : {}) });
  }
  diagnostics.sort((a, b) => (a.where.line ?? 0) - (b.where.line ?? 0));
  return { subscribers: [...byKey.values()], diagnostics, merged };
}
