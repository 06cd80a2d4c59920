import { z } from "zod";
import { tz } from "@date-fns/tz";

/** A valid IANA zone name, as @date-fns/tz understands it. */
function isTimeZone(name: string): boolean {
  try {
    Intl.DateTimeFormat("en", { timeZone: name });
    return !Number.isNaN(tz(name)(0).getTime());
  } catch {
    return false;
  }
}

const absoluteUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^/]+/u.test(v) && URL.canParse(v), { error: (issue) => `expected an absolute URL, got ${JSON.stringify(issue.input)}` });

/**
 * The one schema of `letterpress.config.json`. Every field has a default but
 * `site.url` and `secret`, which cannot be guessed; the commands that need
 * them ask for them (see `requireSiteUrl`, `requireSecret`).
 */
export const configSchema = z
  .object({
    site: z
      .object({
        title: z.string().min(1).default("Daily Digest"),
        description: z.string().default("A daily digest of papers worth reading"),
        url: absoluteUrl.transform((v) => (v.endsWith("/") ? v : `${v}/`)).optional(),
        language: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/u, "expected a language tag such as zh-CN").default("zh-CN"),
        timezone: z.string().refine(isTimeZone, { error: (issue) => `expected an IANA time zone such as Asia/Shanghai, got ${JSON.stringify(issue.input)}` }).default("Asia/Shanghai"),
        author: z.string().default("The editors"),
        icon: absoluteUrl.optional(),
        /** When each issue is published, local time `HH:mm`: the feeds' dates. */
        publishTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/u, "expected a time HH:mm such as 08:00").default("08:00"),
      })
      .strict()
      .prefault({}),
    feed: z
      .object({
        length: z.number().int().min(1).max(1000).default(20),
        /**
         * Entries in each category feed, newest first. A category feed of every
         * entry ever would grow without end (58,000 items over ten years); the
         * whole history stays in the RFC 5005 archive of issues.
         */
        categoryLength: z.number().int().min(1).max(10000).default(100),
        /** A WebSub hub to announce in every feed, if any. */
        hub: absoluteUrl.optional(),
      })
      .strict()
      .prefault({}),
    email: z
      .object({
        from: z.string().min(3).default("Daily Digest <digest@example.org>"),
        replyTo: z.string().optional(),
        /** The list's id for `List-Id` (RFC 2919): a dotted name. */
        listId: z.string().regex(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/u, "expected a dotted name such as digest.example.org").optional(),
        /** The one-click unsubscribe endpoint (RFC 8058); default `<site.url>unsubscribe`. */
        unsubscribeUrl: absoluteUrl.optional(),
        /** The address of the `mailto:` in `List-Unsubscribe`; default the `from` address. */
        unsubscribeMailto: z.string().regex(/^[^\s<>@]+@[^\s<>@]+$/u, "expected an address such as unsubscribe@example.org").optional(),
      })
      .strict()
      .prefault({}),
    /** A folder of MJML templates to use instead of the ones letterpress ships (`templates/`). */
    templates: z.string().min(1).optional(),
    transport: z.string().default("capture://out/mailbox"),
    secret: z.string().min(16, "expected at least 16 characters of random text").optional(),
    database: z.string().default("letterpress.db"),
    /** Nodemailer's pooled SMTP transport. */
    smtp: z
      .object({
        maxConnections: z.number().int().min(1).max(100).default(5),
        maxMessages: z.number().int().min(1).default(100),
        /** At most `rateLimit` messages per `rateDelta` ms per pool; unset: no limit. */
        rateLimit: z.number().int().min(1).optional(),
        rateDelta: z.number().int().min(1).default(1000),
        connectionTimeout: z.number().int().min(1).default(30_000),
        greetingTimeout: z.number().int().min(1).default(30_000),
        socketTimeout: z.number().int().min(1).default(120_000),
      })
      .strict()
      .prefault({}),
    /** DKIM signing (RFC 6376); off unless a key is given. */
    dkim: z
      .object({
        domainName: z.string().min(1),
        keySelector: z.string().min(1),
        /** A PEM file, relative to the working folder. */
        privateKeyFile: z.string().min(1),
      })
      .strict()
      .optional(),
    send: z
      .object({
        /** Further attempts after a temporary failure (4xx, dropped connection). */
        retries: z.number().int().min(0).max(20).default(5),
        /** First backoff; doubled on every retry, with jitter, up to `maxBackoffMs`. */
        backoffMs: z.number().int().min(0).default(1000),
        maxBackoffMs: z.number().int().min(0).default(60_000),
        /** Messages per second; unset: as fast as the pool goes. */
        rate: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
