import { TZDate, tzOffset } from "@date-fns/tz";
import { format } from "date-fns/format";
import { formatISO } from "date-fns/formatISO";
import type { Config } from "../config/schema.js";
import type { Issue } from "../model/issue.js";

/** The moment an issue is published, in the three spellings the outputs need. */
export interface PublishedAt {
  /** RFC 3339 with the zone's offset, e.g. `2020-10-30T08:00:00+08:00` (Atom, JSON Feed). */
  iso: string;
  /** RFC 822 with the zone's offset, e.g. `Fri, 30 Oct 2020 08:00:00 +0800` (RSS 2.0). */
  rfc822: string;
  date: Date;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * An issue is published on its date at `site.publishTime`, local time in
 * `site.timezone`. Derived from the issue's date and the configuration only,
 * never from the clock, so every build writes the same dates.
 */
export function publishedAt(issue: Pick<Issue, "date">, config: Config): PublishedAt {
  // Every item of every feed asks, and an issue's entries all ask for the same date.
  let known = spelled.get(config);
  if (!known) spelled.set(config, (known = new Map()));
  let at = known.get(issue.date);
  if (!at) {
    const { timezone, publishTime } = config.site;
    at = describeInstant(zonedInstant(issue.date, publishTime, timezone), timezone);
    known.set(issue.date, at);
  }
  return { ...at, date: new Date(at.date.getTime()) };
}

const spelled = new WeakMap<Config, Map<string, PublishedAt>>();

/** The spellings of an instant as a clock in `timeZone` shows it. */
export function describeInstant(date: Date, timeZone: string): PublishedAt {
  const local = new TZDate(date.getTime(), timeZone);
  return {
    iso: formatISO(local),
    // date-fns formats in English by default, which RFC 822 day and month names need.
    rfc822: format(local, "EEE, dd MMM yyyy HH:mm:ss xx"),
    date: new Date(date.getTime()),
  };
}

/**
 * The instant a wall-clock time `HH:mm` on `YYYY-MM-DD` names in an IANA
 * zone. On a day the clocks change, a time can occur twice or never; the
 * rule is the one of Temporal's `disambiguation: "compatible"` (and of RFC
 * 5545 for DTSTART): a repeated time means its first occurrence, a skipped
 * time is read with the offset in force before the change, so it lands just
 * after the gap (02:30 on a spring-forward night in Berlin → 03:30+02:00).
 * Assumes at most one offset change within a day on either side, true of
 * every zone in the tz database since 1970.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const asIfUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offsetBefore = tzOffset(timeZone, new Date(asIfUtc - DAY));
  const offsetAfter = tzOffset(timeZone, new Date(asIfUtc + DAY));
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => asIfUtc - offset * MINUTE)
    .filter((instant) => asIfUtc - instant === tzOffset(timeZone, new Date(instant)) * MINUTE);
  const instant = candidates.length > 0 ? Math.min(...candidates) : asIfUtc - offsetBefore * MINUTE;
  return new Date(instant);
}
