import type { SourceRef } from "./model/issue.js";

/** A problem found in input, returned as data so every problem is reported, not only the first. */
export interface Diagnostic {
  severity: "error" | "warning";
  where: SourceRef;
  message: string;
  hint?: string;
}

export function error(where: SourceRef, message: string, hint?: string): Diagnostic {
  return { severity: "error", where, message, ...(hint ? { hint } : {}) };
}

export function warning(where: SourceRef, message: string, hint?: string): Diagnostic {
  return { severity: "warning", where, message, ...(hint ? { hint } : {}) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `file:line: message`, or `file:line: warning: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const place = d.where.line === undefined ? d.where.file : `${d.where.file}:${d.where.line}`;
  const text = `${place}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
  return d.hint ? `${text}\n  ${d.hint}` : text;
}

/** Sorted by file, then line, so output is the same on every run. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.where.file.localeCompare(b.where.file) || (a.where.line ?? 0) - (b.where.line ?? 0),
  );
}

/** Bad input: printed without a stack, exit code 1. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "InputError";
  }
}

/** A bad configuration value, named by its dotted path; exit code 1. */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** Some recipients were left undelivered; exit code 2. */
export class DeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeliveryError";
  }
}
