import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config/load.js";
import { ConfigError, DeliveryError, InputError, formatDiagnostic } from "../errors.js";
import type { NewFormat } from "./commands/new.js";
import { terminal, type Output } from "./output.js";
import type { openDatabase } from "../subscribers/store.js";

// Each command's module is imported when the command runs: loading every
// command's libraries (SMTP, SQLite, feeds, templates) for any one of them
// was most of the time of a build with nothing to do.
const commands = {
  build: () => import("./commands/build.js"),
  check: () => import("./commands/check.js"),
  start: () => import("./commands/start.js"),
  new: () => import("./commands/new.js"),
  send: () => import("./commands/send.js"),
  capture: () => import("./commands/capture.js"),
  serve: () => import("./commands/serve.js"),
  subscribers: () => import("./commands/subscribers.js"),
};

/**
 * argv → command. The only place that decides exit codes:
 * 0 done; 1 bad input or configuration (printed without a stack) or a bug
 * (printed with its stack); 2 recipients left undelivered.
 */
export async function main(argv: string[], out: Output = terminal): Promise<number> {
  const status = { exitCode: 0 };
  const program = buildProgram(out, status);
  try {
    await program.parseAsync(argv);
    return status.exitCode;
  } catch (err) {
    return reportFailure(err, out);
  }
}

function reportFailure(err: unknown, out: Output): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
  if (err instanceof InputError) {
    for (const d of err.diagnostics) out.error(formatDiagnostic(d));
    if (err.message) out.error(err.message);
    return 1;
  }
  if (err instanceof ConfigError) {
    out.error(err.message);
    return 1;
  }
  if (err instanceof DeliveryError) {
    out.error(err.message);
    return 2;
  }
  out.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return 1;
}

/** The package's version: `package.json` is two folders up from `src/cli/`, `dist/cli/` and `dist/bundle/` alike. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

const configOption = () => new Option("--config <file>", "configuration file").default("letterpress.config.json");
const issuesOption = () => new Option("--issues <dir>", "folder of dated digest files").default("issues");

/** What a command that finished without throwing asks the process to exit with. */
export interface CommandStatus {
  exitCode: number;
}

function buildProgram(out: Output, status: CommandStatus): Command {
  const program = new Command("letterpress")
    .description("Compiles dated digest files into feeds, a web archive and an email newsletter.")
    .version(packageVersion(), "-V, --version", "print letterpress's version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.info(s.trimEnd()), writeErr: (s) => out.error(s.trimEnd()) })
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("check")
    .description("read and validate every digest; print each problem as file:line: message; exit 1 on any error")
    .addOption(issuesOption())
    .addOption(configOption())
    .action(async (opts: { issues: string }) => {
      const summary = await (await commands.check()).runCheck(opts.issues, out);
      if (summary.errors > 0) status.exitCode = 1;
    });

  program
    .command("build")
    .description("compile every issue into out/: feeds, web archive, email; nothing is replaced if an issue has errors")
    .addOption(issuesOption())
    .option("--out <dir>", "output folder", "out")
    .addOption(configOption())
    .action(async (opts: { issues: string; out: string; config: string }) => {
      const config = await loadConfig({ file: explicitConfig(opts.config) });
      await (await commands.build()).runBuild({ issues: opts.issues, out: opts.out, config }, out);
    });

  program
    .command("new")
    .description("write a new digest from a template, dated today in the site's time zone by default")
    .option("--date <YYYY-MM-DD>", "the issue's date (default: today in site.timezone)")
    .addOption(new Option("--format <format>", "txt (the editor's plain-text format) or md (Markdown)").choices(["txt", "md"]).default("txt"))
    .addOption(issuesOption())
    .addOption(configOption())
    .action(async (opts: { date?: string; format: NewFormat; issues: string; config: string }) => {
      const config = await loadConfig({ file: explicitConfig(opts.config) });
      const { createDigest, todayIn } = await commands.new();
      const date = opts.date ?? todayIn(config.site.timezone);
      const path = await createDigest(opts.issues, date, opts.format);
      out.info(`wrote ${path}: fill in the entries, then run \`letterpress check\``);
    });

  program
    .command("start")
    .description("the main job on the defaults (what `npm start` runs): build every output, checking each issue it reads, then send the newest issue to the sample subscribers")
    .addOption(issuesOption())
    .addOption(new Option("--out <dir>", "output folder").default("out"))
    .addOption(new Option("--subscribers <file>", "subscriber CSV imported before sending").default("subscribers.sample.csv"))
    .addOption(configOption())
    .action(async (opts: { issues: string; out: string; subscribers: string; config: string }) => {
      status.exitCode = await (await commands.start()).runStart({ issues: opts.issues, out: opts.out, subscribers: opts.subscribers, configFile: explicitConfig(opts.config) }, out);
    });

  program
    .command("send")
    .description("deliver one issue to every active subscriber, once; exit 2 if some are left undelivered")
    .argument("<date>", "the issue: YYYY-MM-DD or latest")
    .addOption(issuesOption())
    .addOption(configOption())
    .option("--subscribers <file>", "a subscriber CSV to import before sending")
    .option("--smtp <url>", "transport URL (smtp://user:pass@host:port, smtps://…, capture://DIR), over SMTP_URL and the config")
    .option("--db <file>", "the subscriber and ledger database, over the config's `database`")
    .option("--dry-run", "show what would be sent; send nothing")
    .option("--rate <n>", "messages per second at most", parseRate)
    .action(async (which: string, opts: { issues: string; config: string; subscribers?: string; smtp?: string; db?: string; dryRun?: boolean; rate?: number }) => {
      const config = await loadConfig({ file: explicitConfig(opts.config), overrides: { transport: opts.smtp, database: opts.db } });
      const summary = await (await commands.send()).runSend({ which, issuesDir: opts.issues, config, out, subscribersCsv: opts.subscribers, dryRun: opts.dryRun, rate: opts.rate });
      if (!summary.dryRun && !summary.complete) {
        const undelivered = summary.recipients - summary.sent - summary.alreadySent;
        throw new DeliveryError(`${undelivered} of ${summary.recipients} subscribers do not have issue ${summary.issue} yet (see above); run \`letterpress send ${summary.issue}\` again to retry the temporary failures`);
      }
    });

  program
    .command("capture")
    .description("run the built-in SMTP capture server on 127.0.0.1, saving each message as .eml")
    .addOption(new Option("--port <n>", "port to listen on").default(2525).argParser(parsePort))
    .addOption(new Option("--dir <dir>", "where to save messages").default("out/mailbox"))
    .addOption(configOption())
    .action(async (opts: { port: number; dir: string }) => {
      const server = await (await commands.capture()).runCapture({ port: opts.port, dir: opts.dir, out });
      await untilInterrupted();
      await server.close();
    });

  program
    .command("serve")
    .description("serve out/ for preview, and the one-click unsubscribe endpoint")
    .addOption(new Option("--port <n>", "port to listen on").default(8080).argParser(parsePort))
    .addOption(new Option("--out <dir>", "the folder to serve").default("out"))
    .addOption(new Option("--host <address>", "interface to listen on").default("127.0.0.1"))
    .option("--db <file>", "the subscriber database, over the config's `database`")
    .addOption(configOption())
    .action(async (opts: { port: number; out: string; host: string; db?: string; config: string }) => {
      const config = await loadConfig({ file: explicitConfig(opts.config), overrides: { database: opts.db } });
      const server = await (await commands.serve()).runServe({ port: opts.port, outDir: opts.out, host: opts.host, config, out });
      await untilInterrupted();
      await server.closeAll();
    });

  const subscribers = program.command("subscribers").description("manage the subscriber list in the database");
  const withDb = async (opts: { config: string; db?: string }, use: (db: ReturnType<typeof openDatabase>) => void | Promise<unknown>) => {
    const config = await loadConfig({ file: explicitConfig(opts.config), overrides: { database: opts.db } });
    const db = (await import("../subscribers/store.js")).openDatabase(config.database);
    try {
      await use(db);
    } finally {
      db.close();
    }
  };
  subscribers
    .command("import")
    .description("add the subscribers of a CSV (header row with `email`, optional `name`); bad rows are reported and skipped")
    .argument("<file>", "CSV file")
    .option("--db <file>", "database file")
    .addOption(configOption())
    .action((file: string, opts: { config: string; db?: string }) => withDb(opts, async (db) => (await commands.subscribers()).importSubscribersFile(db, file, out)));
  subscribers
    .command("add")
    .description("add one subscriber (or make an unsubscribed one active again)")
    .argument("<email>", "address")
    .option("--name <name>", "display name")
    .option("--db <file>", "database file")
    .addOption(configOption())
    .action((email: string, opts: { name?: string; config: string; db?: string }) => withDb(opts, async (db) => (await commands.subscribers()).addSubscriber(db, email, opts.name, out)));
  subscribers
    .command("remove")
    .description("unsubscribe an address (kept on record so an import does not add it back)")
    .argument("<email>", "address")
    .option("--db <file>", "database file")
    .addOption(configOption())
    .action((email: string, opts: { config: string; db?: string }) => withDb(opts, async (db) => (await commands.subscribers()).removeSubscriber(db, email, out)));
  subscribers
    .command("list")
    .description("every subscriber: address, name, status, reason")
    .option("--db <file>", "database file")
    .addOption(configOption())
    .action((opts: { config: string; db?: string }) => withDb(opts, async (db) => (await commands.subscribers()).listSubscribers(db, out)));

  return program;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("expected a port number 0-65535");
  return port;
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) throw new InvalidArgumentError("expected a positive number of messages per second");
  return rate;
}

/** Resolves on Ctrl-C or SIGTERM, for the commands that run until stopped. */
function untilInterrupted(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** The default file may be absent (defaults apply); a named one must exist. */
export function explicitConfig(file: string): string | undefined {
  return file === "letterpress.config.json" ? undefined : file;
}
