import { Command, CommanderError, Option } from "commander";
import { loadConfig } from "../config/load.js";
import { ConfigError, DeliveryError, InputError, formatDiagnostic } from "../errors.js";
import { runBuild } from "./commands/build.js";
import { runCheck } from "./commands/check.js";
import { createDigest, todayIn, type NewFormat } from "./commands/new.js";
import { terminal, type Output } from "./output.js";

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

const configOption = () => new Option("--config <file>", "configuration file").default("letterpress.config.json");
const issuesOption = () => new Option("--issues <dir>", "folder of dated digest files").default("issues");

/** What a command that finished without throwing asks the process to exit with. */
export interface CommandStatus {
  exitCode: number;
}

function buildProgram(out: Output, status: CommandStatus): Command {
  const program = new Command("letterpress")
    .description("Compiles dated digest files into feeds, a web archive and an email newsletter.")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.info(s.trimEnd()), writeErr: (s) => out.error(s.trimEnd()) })
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("check")
    .description("read and validate every digest; print each problem as file:line: message; exit 1 on any error")
    .addOption(issuesOption())
    .addOption(configOption())
    .action(async (opts: { issues: string }) => {
      const summary = await runCheck(opts.issues, out);
      if (summary.errors > 0) status.exitCode = 1;
    });

  program
    .command("build")
    .description("compile every issue into out/: feeds, web archive, email; nothing is replaced if an issue has errors")
    .addOption(issuesOption())
    .option("--out <dir>", "output folder", "out")
    .addOption(configOption())
    .action(async (opts: { issues: string; out: string; config: string }) => {
      await runBuild({ issues: opts.issues, out: opts.out, configFile: explicitConfig(opts.config) }, out);
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
      const date = opts.date ?? todayIn(config.site.timezone);
      const path = await createDigest(opts.issues, date, opts.format);
      out.info(`wrote ${path}: fill in the entries, then run \`letterpress check\``);
    });

  program
    .command("start")
    .description("the main job on the defaults: check every issue and report them (what `npm start` runs)")
    .addOption(issuesOption())
    .addOption(configOption())
    .action(async (opts: { issues: string; config: string }) => {
      await loadConfig({ file: explicitConfig(opts.config) });
      const summary = await runCheck(opts.issues, out);
      if (summary.errors > 0) status.exitCode = 1;
    });

  return program;
}

/** The default file may be absent (defaults apply); a named one must exist. */
export function explicitConfig(file: string): string | undefined {
  return file === "letterpress.config.json" ? undefined : file;
}
