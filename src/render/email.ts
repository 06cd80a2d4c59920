import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid, type Template } from "liquidjs";
import type { Config } from "../config/schema.js";
import { error, InputError, type Diagnostic } from "../errors.js";
import { keyOf } from "../hash.js";
import type { Issue } from "../model/issue.js";
import { readCompiledTemplate, writeCompiledTemplate } from "./compiled-cache.js";
import { compileFastFill, NeedsLiquidJS, type FastFill } from "./liquid-fast-fill.js";
import { breakLongHtmlLinesInPieces } from "./html-lines.js";
import { viewIssue, type EntryView, type IssueView } from "./issue-view.js";
import { fillUnsubscribeUrlInPieces, UNSUBSCRIBE_URL_PLACEHOLDER, urlInHtml, type NewsletterContent } from "./newsletter.js";
import { textPieces, type OutputFile } from "./output-file.js";
import { renderPlainText } from "./plain-text.js";
import { siteUrl } from "./urls.js";

/**
 * The newsletter. Order:
 * 1. once per process, compile `templates/newsletter.mjml` (and the partials
 *    it includes) with MJML at strict validation, Liquid tags and
 *    placeholders left in place (they sit in `<mj-raw>` and in text and
 *    attribute values, which MJML copies as they are), then parse the result
 *    as one Liquid template;
 * 2. per issue, fill that template with the issue's view (Liquid escapes
 *    every value: `outputEscape: "escape"`), through the template's
 *    closures (`liquid-fast-fill.ts`) when it uses only what they port,
 *    else through LiquidJS;
 * 3. if the HTML is over budget, shorten every abstract at a sentence
 *    boundary to the longest common length that fits, each with a "read on"
 *    link to the web version;
 * 4. break the lines over RFC 5322's 998 octets (an abstract is one line)
 *    at spaces where a newline renders the same (`breakLongHtmlLines`), so
 *    the sender can send the HTML as it is (8bit) instead of
 *    quoted-printable; a space for a newline, the size is unchanged. The
 *    build's archive copy stays in the pieces between the breaks, written
 *    out as they are (`renderEmailFiles`).
 * MJML runs once, so an issue costs one fill (about 0.14 ms; LiquidJS's own
 * render takes 1.3) instead of an MJML compile.
 */

/** Gmail clips a message whose HTML is over 102 KB ("[Message clipped]"). */
export const GMAIL_CLIP_BYTES = 102 * 1024;
/**
 * What the renderer aims for: 2 KB under Gmail's limit, room for the sender
 * to put a signed per-recipient unsubscribe URL where the placeholder is.
 */
export const EMAIL_BUDGET_BYTES = GMAIL_CLIP_BYTES - 2 * 1024;

/**
 * The package's own `templates/`: the nearest one above this module, which
 * is two folders up from `src/render/` and `dist/render/` alike.
 */
export const DEFAULT_TEMPLATES_DIR = findTemplatesDir(dirname(fileURLToPath(import.meta.url)));

function findTemplatesDir(from: string): string {
  for (let dir = from, i = 0; i < 5; dir = dirname(dir), i++) {
    if (existsSync(join(dir, "templates", "newsletter.mjml"))) return join(dir, "templates");
  }
  return resolve(from, "../../templates");
}
const MAIN_TEMPLATE = "newsletter.mjml";

export interface NewsletterRendering {
  content: NewsletterContent;
  /** Entries whose abstracts were shortened to fit, by anchor (`entry-3`). */
  shortened: EntryView[];
  /** Size of the HTML in bytes (UTF-8), placeholder included. */
  bytes: number;
  /** True if the HTML is over budget even with every abstract left out. */
  overBudget: boolean;
}

/** The contract with the sender (`src/render/newsletter.ts`): one issue's message, unsubscribe link still a placeholder. */
export async function renderNewsletter(issue: Issue, config: Config): Promise<NewsletterContent> {
  return (await renderNewsletterReport(issue, config)).content;
}

export async function renderNewsletterReport(issue: Issue, config: Config, options: { templatesDir?: string } = {}): Promise<NewsletterRendering> {
  const { content, htmlPieces, ...report } = await renderNewsletterInPieces(issue, config, options);
  const { date, subject, text, webUrl } = content;
  return { content: { date, subject, html: htmlPieces.join(""), text, webUrl }, ...report };
}

/** A rendering whose HTML is still in pieces (`breakLongHtmlLinesInPieces`): what the build writes out as it is. */
interface NewsletterInPieces extends Omit<NewsletterRendering, "content"> {
  content: Omit<NewsletterContent, "html">;
  htmlPieces: string[];
}

async function renderNewsletterInPieces(issue: Issue, config: Config, options: { templatesDir?: string } = {}): Promise<NewsletterInPieces> {
  const template = await loadNewsletterTemplate(options.templatesDir ?? config.templates ?? DEFAULT_TEMPLATES_DIR);
  const view = viewIssue(issue, config);
  const fill = (v: IssueView) => fillNewsletter(template, v, config);

  let html = await fill(view);
  let bytes = byteLength(html);
  let finalView = view;
  let overBudget = false;
  if (bytes > EMAIL_BUDGET_BYTES) {
    // The largest abstract length (in characters) at which the whole message fits; more text never makes it smaller.
    let low = 0;
    let high = Math.max(0, ...allEntryViews(view).map((e) => e.abstractParagraphs.join("\n\n").length));
    let best: { html: string; bytes: number; view: IssueView } | undefined;
    while (low <= high) {
      const limit = Math.floor((low + high) / 2);
      const candidate = shortenAbstracts(view, limit);
      const candidateHtml = await fill(candidate);
      const candidateBytes = byteLength(candidateHtml);
      if (candidateBytes <= EMAIL_BUDGET_BYTES) {
        best = { html: candidateHtml, bytes: candidateBytes, view: candidate };
        low = limit + 1;
      } else {
        high = limit - 1;
      }
    }
    if (best) {
      ({ html, bytes, view: finalView } = best);
    } else {
      finalView = shortenAbstracts(view, 0);
      html = await fill(finalView);
      bytes = byteLength(html);
      overBudget = true;
    }
  }
  // The same bytes: each break is a newline in place of a space.
  const htmlPieces = breakLongHtmlLinesInPieces(html);
  const text = renderPlainText(finalView, { unsubscribeUrl: UNSUBSCRIBE_URL_PLACEHOLDER });
  return {
    content: { date: issue.date, subject: view.title, text, webUrl: view.webUrl },
    htmlPieces,
    shortened: allEntryViews(finalView).filter((e) => e.shortened),
    bytes,
    overBudget,
  };
}

/**
 * The build's email renderer for one issue: `email/DATE.html` and
 * `email/DATE.txt`, with the site's general unsubscribe page where each
 * recipient's own link will go, so the archive copy holds no dead link.
 */
export async function renderEmailFiles(issue: Issue, config: Config): Promise<{ files: OutputFile[]; notices: string[] }> {
  const report = await renderNewsletterInPieces(issue, config);
  const unsubscribe = siteUrl(config, "unsubscribe");
  const notices: string[] = [];
  const kb = (report.bytes / 1024).toFixed(1);
  if (report.overBudget) {
    notices.push(`email/${issue.date}.html: ${kb} KB, over Gmail's 102 KB clipping limit even with every abstract cut; the message will be clipped`);
  } else if (report.shortened.length > 0) {
    const which = report.shortened.map((e) => (e.number ? e.number : e.title)).join(", ");
    notices.push(`email/${issue.date}.html: abstracts shortened to stay under Gmail's 102 KB limit (${kb} KB), entries ${which}; each links to the web version`);
  }
  return {
    files: [
      // In pieces, as rendered: the documents are not copied again to be written (`fillUnsubscribeUrlInPieces`).
      { path: `email/${issue.date}.html`, contents: textPieces(...fillUnsubscribeUrlInPieces(report.htmlPieces, urlInHtml(unsubscribe))) },
      { path: `email/${issue.date}.txt`, contents: textPieces(...fillUnsubscribeUrlInPieces([report.content.text], unsubscribe)) },
    ],
    notices,
  };
}

/**
 * Cuts each abstract to at most `limit` characters, at the end of a
 * sentence (Unicode sentence boundaries, UAX #29, via Intl.Segmenter), so
 * the same issue is always cut the same way.
 */
export function shortenAbstracts(view: IssueView, limit: number): IssueView {
  const shorten = (entry: EntryView): EntryView => {
    const full = entry.abstractParagraphs.join("\n\n");
    if (full.length <= limit) return entry;
    return { ...entry, abstractParagraphs: cutAtSentence(entry.abstractParagraphs, limit), shortened: true };
  };
  return { ...view, entries: view.entries.map(shorten), extras: view.extras.map(shorten) };
}

const sentences = new Intl.Segmenter("en", { granularity: "sentence" });

export function cutAtSentence(paragraphs: readonly string[], limit: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const paragraph of paragraphs) {
    let keptHere = "";
    for (const { segment } of sentences.segment(paragraph)) {
      const next = keptHere + segment;
      if (used + next.trimEnd().length > limit) break;
      keptHere = next;
    }
    keptHere = keptHere.trimEnd();
    if (keptHere) kept.push(keptHere);
    used += keptHere.length + 2;
    if (keptHere.length < paragraph.length) break;
  }
  return kept;
}

function allEntryViews(view: IssueView): EntryView[] {
  return [...view.entries, ...view.extras];
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

interface NewsletterTemplate {
  liquid: Liquid;
  template: Template[];
  /** The same template as closures (`liquid-fast-fill.ts`), if it uses only what they port. */
  fastFill: FastFill | undefined;
  /** The template files as written, to point a fill-time error back at its file and line. */
  sources: { file: string; text: string }[];
}

/** What the newsletter template can use: the issue's view and a few fields of the message. */
export function newsletterFields(view: IssueView, config: Config): Record<string, unknown> {
  const firstEntry = view.entries[0] ?? view.extras[0];
  // Every optional field present (null when absent): LiquidJS throws and
  // catches an error inside for each variable it finds undefined, which was
  // a sixth of the time of a fill.
  const entry = (e: EntryView) => ({ category: null, link: null, bodyMarkdown: null, ...e });
  return {
    summary: null,
    starNote: null,
    ...view,
    entries: view.entries.map(entry),
    extras: view.extras.map(entry),
    language: config.site.language,
    preview: view.summary ?? (firstEntry ? `${firstEntry.chineseTitle || firstEntry.title}` : view.title),
    unsubscribeUrl: UNSUBSCRIBE_URL_PLACEHOLDER,
  };
}

/** The template language, with the options the newsletter is filled with (HTML-escaped output, unknown names are errors). */
export const liquid = new Liquid({ outputEscape: "escape", strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true });

async function fillNewsletter(compiled: NewsletterTemplate, view: IssueView, config: Config): Promise<string> {
  const data = newsletterFields(view, config);
  if (compiled.fastFill) {
    try {
      return compiled.fastFill(data);
    } catch (needsLiquidJS) {
      // A value only LiquidJS can judge (an undefined variable: LiquidJS's error names it): fill this issue with LiquidJS.
      if (!(needsLiquidJS instanceof NeedsLiquidJS)) throw needsLiquidJS;
    }
  }
  try {
    // Synchronous: the template has no async tags, and LiquidJS's async path
    // spends more time in promise trampolines than in filling in the issue.
    return compiled.liquid.renderSync(compiled.template, data) as string;
  } catch (cause) {
    throw new InputError("the newsletter template failed while filling in an issue", [fillDiagnostic(cause, compiled.sources)], { cause });
  }
}

/**
 * A fill-time error (an unknown variable, with `strictVariables`) names a
 * line of the compiled HTML; the expression it names is looked up in the
 * template files, so the message points at the line the author wrote.
 */
function fillDiagnostic(cause: unknown, sources: readonly { file: string; text: string }[]): Diagnostic {
  const message = (cause instanceof Error ? cause.message : String(cause)).replace(/, (file:|line:).*$/u, "");
  const expression = (cause as { token?: { getText?: () => string } }).token?.getText?.();
  const places = expression
    ? sources.flatMap((s) => s.text.split("\n").flatMap((line, i) => (line.includes(expression) ? [{ file: s.file, line: i + 1 }] : [])))
    : [];
  const where = places.length === 1 ? places[0]! : { file: sources.find((s) => s.file.endsWith(MAIN_TEMPLATE))?.file ?? MAIN_TEMPLATE };
  return error(where, `template: ${message}`);
}

const compiledTemplates = new Map<string, Promise<NewsletterTemplate>>();

/**
 * Forgets the templates compiled so far in this process: a build calls it
 * first, so a template edited since the last build in the same process
 * (tests, a long-running preview) is compiled again.
 */
export function forgetCompiledTemplates(): void {
  compiledTemplates.clear();
}

/** The compiled template for a templates folder, compiled on first use. */
export function loadNewsletterTemplate(templatesDir: string): Promise<NewsletterTemplate> {
  const key = resolve(templatesDir);
  let compiled = compiledTemplates.get(key);
  if (!compiled) {
    compiled = compileNewsletterTemplate(key);
    compiledTemplates.set(key, compiled);
    compiled.catch(() => compiledTemplates.delete(key));
  }
  return compiled;
}

/**
 * Checks every template's Liquid on its own (so an error names its file and
 * line), compiles the MJML at strict validation (MJML names the file and
 * line of an included partial too), then parses the HTML as Liquid.
 */
async function compileNewsletterTemplate(templatesDir: string): Promise<NewsletterTemplate> {
  const display = (file: string) => relative(process.cwd(), file) || file;
  const diagnostics: Diagnostic[] = [];
  const sources: { file: string; text: string }[] = [];
  for (const file of await listTemplates(templatesDir)) {
    const text = await readFile(file, "utf8");
    sources.push({ file: display(file), text });
    try {
      liquid.parse(text, display(file));
    } catch (cause) {
      diagnostics.push(liquidDiagnostic(cause, display(file)));
    }
  }
  if (diagnostics.length > 0) throw new InputError("the newsletter templates have errors", diagnostics);

  const mainFile = join(templatesDir, MAIN_TEMPLATE);
  const cacheKey = compiledCacheKey(sources);
  const cached = await readCompiledTemplate(COMPILED_CACHE_DIR, cacheKey);
  const compact = cached ?? (await compileMjml(mainFile, templatesDir, display));
  if (cached === undefined) await writeCompiledTemplate(COMPILED_CACHE_DIR, cacheKey, compact);
  let template: Template[];
  try {
    template = liquid.parse(compact, `${display(mainFile)} (compiled)`);
  } catch (cause) {
    throw new InputError("the compiled newsletter template is not valid Liquid", [liquidDiagnostic(cause, display(mainFile))], { cause });
  }
  return { liquid, template, fastFill: compileFastFill(template, liquid), sources };
}

/**
 * The compiled template is cached on disk (`compiled-cache.ts`), keyed by
 * the template files and the versions of MJML and LiquidJS: a build whose
 * templates have not changed never imports `mjml` (about half a second of
 * module loading).
 */
const packageRequire = createRequire(import.meta.url);
const COMPILED_CACHE_DIR = join(dirname(DEFAULT_TEMPLATES_DIR), "node_modules", ".cache", "letterpress");

function compiledCacheKey(sources: readonly { file: string; text: string }[]): string {
  const versions = ["mjml", "liquidjs"].map((name) => `${name}@${(packageRequire(`${name}/package.json`) as { version: string }).version}`);
  return keyOf({ versions, sources: sources.map((s) => [basenameOf(s.file), s.text]) });
}

function basenameOf(file: string): string {
  return file.split(/[\\/]/u).slice(-2).join("/");
}

async function compileMjml(mainFile: string, templatesDir: string, display: (file: string) => string): Promise<string> {
  const { default: mjml2html } = await import("mjml");
  let compiledHtml: string;
  try {
    const result = await mjml2html(await readFile(mainFile, "utf8"), {
      validationLevel: "strict",
      filePath: mainFile,
      // MJML 5 ignores <mj-include> unless told otherwise; includes stay inside templatesDir.
      ignoreIncludes: false,
      includePath: templatesDir,
      minify: false,
    });
    compiledHtml = result.html;
  } catch (cause) {
    throw new InputError("the newsletter templates are not valid MJML", mjmlDiagnostics(cause, mainFile, display), { cause });
  }
  return compactHtml(compiledHtml);
}

/** MJML indents its output for people; the indentation is a tenth of the bytes and means nothing to a mail client. */
export function compactHtml(html: string): string {
  return html.replace(/\n[ \t]+/gu, "\n").replace(/\n{2,}/gu, "\n");
}

async function listTemplates(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listTemplates(path)));
    else if (entry.name.endsWith(".mjml")) found.push(path);
  }
  return found.sort();
}

/** Every template file's bytes, for the build's content hash. */
export async function readTemplateSources(templatesDir = DEFAULT_TEMPLATES_DIR): Promise<{ file: string; text: string }[]> {
  const files = await listTemplates(templatesDir);
  return Promise.all(files.map(async (file) => ({ file: relative(templatesDir, file), text: await readFile(file, "utf8") })));
}

function liquidDiagnostic(cause: unknown, file: string): Diagnostic {
  const message = cause instanceof Error ? cause.message : String(cause);
  const line = /line:(\d+)/u.exec(message)?.[1];
  const text = message.replace(/, file:.*$/u, "");
  return error({ file, ...(line ? { line: Number(line) } : {}) }, `template: ${text}`);
}

/** MJML's `formattedMessage`: `Line 2 of /abs/partials/entry.mjml, included at line 11 of file … (mj-text) — Attribute x is illegal`. */
function mjmlDiagnostics(cause: unknown, mainFile: string, display: (file: string) => string): Diagnostic[] {
  const errors = (cause as { errors?: { line?: number; message: string; tagName?: string; formattedMessage?: string }[] }).errors;
  if (!errors || errors.length === 0) return [error({ file: display(mainFile) }, `template: ${cause instanceof Error ? cause.message : String(cause)}`)];
  return errors.map((e) => {
    const m = /^Line (\d+) of (.+?)(?:, included at|\s\(|$)/u.exec(e.formattedMessage ?? "");
    const file = m?.[2] && m[2] !== "." ? display(resolve(dirname(mainFile), m[2])) : display(mainFile);
    const line = m?.[1] ? Number(m[1]) : e.line;
    return error({ file, ...(line !== undefined ? { line } : {}) }, `template: ${e.tagName ? `<${e.tagName}> ` : ""}${e.message}`);
  });
}
