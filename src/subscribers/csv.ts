import { CsvError, parse } from "csv-parse/sync";
import { InputError, error, warning, type Diagnostic } from "../errors.js";
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
  const events = readRecords(text, file);
  const diagnostics: Diagnostic[] = [];
  const rows: { line: number; record: string[] }[] = [];
  for (const event of events) {
    if (event.error) diagnostics.push(error({ file, line: event.line }, `${event.error}; the row was skipped`));
    else if (event.record?.some((field) => field.trim() !== "")) rows.push({ line: event.line, record: event.record });
  }

  const [header, ...body] = rows;
  if (!header) return { subscribers: [], diagnostics: [...diagnostics, error({ file }, "the file is empty; expected a header row with an `email` column")], merged: 0 };
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const emailColumn = columns.indexOf("email");
  const nameColumn = columns.indexOf("name");
  if (emailColumn < 0) {
    return { subscribers: [], diagnostics: [...diagnostics, error({ file, line: header.line }, "the header row has no `email` column; add one (and optionally `name`)")], merged: 0 };
  }

  const byKey = new Map<string, SubscriberRow>();
  let merged = 0;
  for (const { record, line } of body) {
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

type CsvEvent = { line: number; record: string[]; error?: undefined } | { line: number; error: string; record?: undefined };

/**
 * Every record with the line it starts on, and every malformed one. After a
 * quoting error csv-parse stays inside the quote and would swallow the rest
 * of the file, so parsing starts again on the line after the bad row's first
 * line (`from_line`). A record starts on the line after the previous one
 * ended; blank lines are kept as empty records for that count, and ignored
 * by the caller.
 */
function readRecords(source: string, file: string): CsvEvent[] {
  // One line ending: csv-parse counts a CRLF inside quotes as two lines.
  const text = source.replace(/\r\n?/gu, "\n");
  const events: CsvEvent[] = [];
  const lineStarts = [0];
  for (const match of text.matchAll(/\n/gu)) lineStarts.push(match.index + match[0].length);
  let from = 1;
  while (from <= lineStarts.length && lineStarts[from - 1]! < text.length) {
    const offset = from - 1;
    let lastEnd = offset;
    try {
      parse(text.slice(lineStarts[offset]), {
        bom: true,
        relax_column_count: true,
        skip_empty_lines: false,
        on_record: (record: string[], context) => {
          events.push({ line: lastEnd + 1, record });
          lastEnd = offset + context.lines;
          return undefined;
        },
      });
      break;
    } catch (cause) {
      if (!(cause instanceof CsvError)) throw new InputError(`${file}: not a readable CSV file: ${(cause as Error).message}`, [], { cause });
      events.push({ line: lastEnd + 1, error: `not valid CSV (${cause.message.split(":")[0]!.toLowerCase()})` });
      from = lastEnd + 2;
    }
  }
  return events;
}
