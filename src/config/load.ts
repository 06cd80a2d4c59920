import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.js";
import { configSchema, type Config } from "./schema.js";

export const DEFAULT_CONFIG_FILE = "letterpress.config.json";

export interface ConfigOverrides {
  /** `--smtp`, then `SMTP_URL`: each over the file's `transport`. */
  transport?: string | undefined;
  database?: string | undefined;
}

/**
 * Resolves the configuration once: flags over `SMTP_URL` over the file over
 * defaults. A missing default file is fine (every field has a default); a
 * missing file named with `--config` is not. The result is frozen.
 */
export async function loadConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): Promise<Config> {
  const file = options.file ?? DEFAULT_CONFIG_FILE;
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(resolve(file), "utf8"));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && options.file === undefined) raw = {};
    else if (code === "ENOENT") throw new ConfigError(`${file}: the configuration file does not exist`, { cause });
    else if (cause instanceof SyntaxError) throw new ConfigError(`${file}: not valid JSON: ${cause.message}`, { cause });
    else throw new ConfigError(`${file}: cannot read it: ${code ?? String(cause)}`, { cause });
  }
  return resolveConfig(raw, file, { env: options.env ?? process.env, overrides: options.overrides ?? {} });
}

export function resolveConfig(raw: unknown, file: string, { env = {}, overrides = {} }: { env?: NodeJS.ProcessEnv; overrides?: ConfigOverrides } = {}): Config {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${file}: ${describeIssue(i)}`).join("\n"));
  const config = { ...parsed.data };
  const transport = overrides.transport ?? env.SMTP_URL;
  if (transport) config.transport = transport;
  if (overrides.database) config.database = overrides.database;
  const frozen = deepFreeze(config);
  configFiles.set(frozen, file);
  return frozen;
}

/** The file each configuration came from, for the errors about a field it needed and lacks. */
const configFiles = new WeakMap<Config, string>();

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const where = path ? `${path}.` : "";
    return issue.keys.map((k) => `${where}${k}: unknown field`).join("; ");
  }
  return `${path || "(top level)"}: ${issue.message}`;
}

export function requireSiteUrl(config: Config): string {
  if (!config.site.url) throw new ConfigError(`${configFiles.get(config) ?? DEFAULT_CONFIG_FILE}: site.url: required for absolute links in feeds and email, e.g. "https://example.org/digest/"`);
  return config.site.url;
}

export function requireSecret(config: Config): string {
  if (!config.secret) throw new ConfigError(`${configFiles.get(config) ?? DEFAULT_CONFIG_FILE}: secret: required to sign unsubscribe links; set it to a long random string`);
  return config.secret;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
