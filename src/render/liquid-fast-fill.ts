import {
  CommentTag,
  defaultOperators,
  Drop,
  ForTag,
  IfTag,
  InlineCommentTag,
  isFalsy,
  isTruthy,
  Output,
  RawTag,
  TokenKind,
  UnlessTag,
  type Liquid,
  type Template,
  type Token,
} from "liquidjs";

/**
 * A faster way to fill the newsletter's Liquid template, proven equal to
 * LiquidJS's own `renderSync` by tests (`tests/render/liquid-fast-fill.test.ts`).
 *
 * Why: LiquidJS evaluates every `{{ }}` and `{% %}` through generators and
 * reads the clock before each node; filling one issue took about 1.3 ms,
 * the largest single cost of a cold build (9 s of CPU over 3,650 issues).
 *
 * How: LiquidJS still parses the template; this module turns the parsed
 * tree into plain closures, once per template. It knows the part of Liquid
 * the newsletter templates use — text, `{{ value }}` (escaped, no filters),
 * `if`/`elsif`/`else`, `unless`, `for … in …` with `else` and `forloop`, and
 * the operators `== != < > <= >= contains and or not`, and comments and
 * `raw` — and ports LiquidJS's
 * own rules for each (property reads, `size`/`first`/`last`, truthiness,
 * equality, escaping). Anything else is left to LiquidJS:
 * - a template with any other tag, filter or literal gets no fast fill
 *   (`compileFastFill` returns undefined);
 * - a fill that meets what it cannot judge (a variable that is undefined,
 *   where LiquidJS throws its error; a Drop, a function, an object with
 *   `toLiquid` or Liquid's comparison methods) stops with `NeedsLiquidJS`,
 *   and the caller fills that issue with LiquidJS, which gives the exact
 *   output or error.
 */

/** Thrown during a fast fill for a value whose handling is LiquidJS's to decide. */
export class NeedsLiquidJS extends Error {}

export type FastFill = (data: object) => string;

/**
 * The fast fill of a parsed template, or undefined if the template (or the
 * Liquid instance's options) uses anything this module does not port.
 */
export function compileFastFill(templates: readonly Template[], liquid: Liquid): FastFill | undefined {
  if (!portedOptions(liquid)) return undefined;
  const compiler = new Compiler(liquid);
  let body: Step;
  try {
    body = compiler.sequence(templates, new Map());
  } catch (unsupported) {
    if (unsupported instanceof Unsupported) return undefined;
    throw unsupported;
  }
  const slotCount = compiler.slotCount;
  return (data) => {
    const frame: Frame = { data, locals: new Array<unknown>(slotCount), out: "" };
    body(frame);
    return frame.out;
  };
}

/** The options whose rules this module ports: the newsletter's (`email.ts`). */
function portedOptions(liquid: Liquid): boolean {
  const o = liquid.options;
  return (
    o.outputEscape === liquid.filters["escape"] &&
    o.strictVariables === true &&
    o.lenientIf === true &&
    o.ownPropertyOnly === true &&
    !o.jsTruthy &&
    !o.keepOutputType &&
    !o.catchAllErrors &&
    o.operators === defaultOperators &&
    Object.keys(o.globals ?? {}).length === 0 &&
    o.memoryLimit === Infinity &&
    o.renderLimit === Infinity
  );
}

/** The template uses something this module does not port (found while compiling). */
class Unsupported extends Error {}

/** What a fill carries: the data, the values of the enclosing loops' variables, and the output so far. */
interface Frame {
  readonly data: object;
  readonly locals: unknown[];
  out: string;
}
type Step = (frame: Frame) => void;
type Read = (frame: Frame) => unknown;

/** Names bound by enclosing `for` tags: the loop variable, and `forloop`. */
type Bindings = ReadonlyMap<string, { kind: "item" | "forloop"; slot: number }>;

/** A loop's counter, as LiquidJS's `ForloopDrop` keeps it. */
interface LoopState {
  index0: number;
  readonly length: number;
}

const FORLOOP_FIELDS: Record<string, (loop: LoopState) => unknown> = {
  index0: (l) => l.index0,
  index: (l) => l.index0 + 1,
  first: (l) => l.index0 === 0,
  last: (l) => l.index0 === l.length - 1,
  length: (l) => l.length,
  rindex: (l) => l.length - l.index0,
  rindex0: (l) => l.length - l.index0 - 1,
};

class Compiler {
  slotCount = 0;
  private readonly autoEscapeName: string;

  constructor(private readonly liquid: Liquid) {
    // LiquidJS names the filter it appends for `outputEscape` after the function's type tag.
    this.autoEscapeName = Object.prototype.toString.call(liquid.options.outputEscape);
  }

  sequence(templates: readonly Template[], bindings: Bindings): Step {
    const steps = templates.map((t) => this.template(t, bindings));
    if (steps.length === 1) return steps[0]!;
    return (frame) => {
      for (const step of steps) step(frame);
    };
  }

  private template(template: Template, bindings: Bindings): Step {
    if (template.token.kind === TokenKind.HTML) {
      const text = (template as unknown as { str: string }).str;
      if (typeof text !== "string") throw new Unsupported();
      return (frame) => {
        frame.out += text;
      };
    }
    if (template instanceof Output) return this.output(template, bindings);
    if (template instanceof IfTag) return this.branches(template.branches.map((b) => ({ ...b, test: isTruthy })), template.elseTemplates ?? [], bindings);
    if (template instanceof UnlessTag) return this.branches(template.branches, template.elseTemplates, bindings);
    if (template instanceof ForTag) return this.loop(template, bindings);
    if (template instanceof CommentTag || template instanceof InlineCommentTag) return () => undefined;
    if (template instanceof RawTag) {
      // Its text, as LiquidJS writes it: the tokens between `raw` and `endraw` as written.
      const text = (template as unknown as { tokens: { getText(): string }[] }).tokens.map((token) => token.getText()).join("");
      return (frame) => {
        frame.out += text;
      };
    }
    throw new Unsupported();
  }

  private output(output: Output, bindings: Bindings): Step {
    const filters = output.value.filters;
    // Only the escape LiquidJS appends itself for `outputEscape`: any filter the author wrote is LiquidJS's.
    const only = filters[0] as unknown as { name: string; handler: unknown; args: unknown[] } | undefined;
    if (filters.length !== 1 || !only || only.name !== this.autoEscapeName || only.handler !== this.liquid.options.outputEscape || only.args.length > 0) {
      throw new Unsupported();
    }
    const read = this.expression(output.value.initial.postfix, bindings, false);
    return (frame) => {
      frame.out += escapeLikeLiquid(stringify(read(frame)));
    };
  }

  private branches(
    branches: readonly { value: Output["value"]; test?: unknown; templates: Template[] }[],
    elseTemplates: readonly Template[],
    bindings: Bindings,
  ): Step {
    const compiled = branches.map((branch) => {
      if (branch.value.filters.length > 0) throw new Unsupported();
      if (branch.test !== isTruthy && branch.test !== isFalsy) throw new Unsupported();
      // `lenientIf`: an undefined variable in a condition is nil, not an error.
      const read = this.expression(branch.value.initial.postfix, bindings, true);
      const wanted = branch.test === isTruthy;
      return { read, wanted, body: this.sequence(branch.templates, bindings) };
    });
    const otherwise = this.sequence(elseTemplates, bindings);
    return (frame) => {
      for (const branch of compiled) {
        if (truthy(branch.read(frame)) === branch.wanted) {
          branch.body(frame);
          return;
        }
      }
      otherwise(frame);
    };
  }

  private loop(tag: ForTag, bindings: Bindings): Step {
    // `limit:`, `offset:` and `reversed` are LiquidJS's; so is a loop variable that hides `forloop`.
    if (Object.keys(tag.hash.hash).length > 0 || tag.variable === "forloop") throw new Unsupported();
    const readCollection = this.operand(tag.collection, bindings, false);
    const itemSlot = this.slotCount++;
    const loopSlot = this.slotCount++;
    const inner = new Map(bindings);
    inner.set(tag.variable, { kind: "item", slot: itemSlot });
    inner.set("forloop", { kind: "forloop", slot: loopSlot });
    const body = this.sequence(tag.templates, inner);
    const otherwise = this.sequence(tag.elseTemplates, bindings);
    return (frame) => {
      const items = enumerable(readCollection(frame));
      if (items.length === 0) {
        otherwise(frame);
        return;
      }
      const loop: LoopState = { index0: 0, length: items.length };
      frame.locals[loopSlot] = loop;
      for (const item of items) {
        frame.locals[itemSlot] = item;
        body(frame);
        loop.index0++;
      }
    };
  }

  /** An expression, from LiquidJS's postfix form: operands in order, each operator applied to the values before it. */
  private expression(postfix: readonly Token[], bindings: Bindings, lenient: boolean): Read {
    const operands: Read[] = [];
    for (const token of postfix) {
      if (token.kind !== TokenKind.Operator) {
        operands.push(this.operand(token, bindings, lenient));
        continue;
      }
      const operator = (token as unknown as { operator: string }).operator;
      const right = operands.pop();
      if (!right) throw new Unsupported();
      if (operator === "not") {
        operands.push((frame) => !truthy(right(frame)));
        continue;
      }
      const left = operands.pop();
      const apply = BINARY_OPERATORS[operator];
      if (!left || !apply) throw new Unsupported();
      // LiquidJS evaluates both sides before it applies any operator (no short circuit): so does this.
      operands.push((frame) => {
        const l = left(frame);
        return apply(l, right(frame));
      });
    }
    return operands[0] ?? (() => undefined);
  }

  private operand(token: Token, bindings: Bindings, lenient: boolean): Read {
    if ("content" in token) {
      const value = (token as { content: unknown }).content;
      // `nil`, `empty` and `blank` are Drops with their own comparison rules.
      if (value instanceof Drop || (token.kind !== TokenKind.Number && token.kind !== TokenKind.Quoted && token.kind !== TokenKind.Literal)) {
        throw new Unsupported();
      }
      return () => value;
    }
    if (token.kind !== TokenKind.PropertyAccess) throw new Unsupported();
    const access = token as unknown as { variable?: unknown; props: Token[] };
    if (access.variable !== undefined) throw new Unsupported();
    const keys = access.props.map((prop): string | number => {
      const key = (prop as { content?: unknown }).content;
      if ((prop.kind === TokenKind.Word || prop.kind === TokenKind.Quoted) && typeof key === "string") return key;
      if (prop.kind === TokenKind.Number && typeof key === "number") return key;
      throw new Unsupported();
    });
    return this.path(keys, bindings, lenient);
  }

  /** `a.b.c`: a loop's variable or `forloop`, else a field of the data; then each property in turn. */
  private path(keys: readonly (string | number)[], bindings: Bindings, lenient: boolean): Read {
    const [first, ...rest] = keys;
    if (typeof first !== "string") throw new Unsupported();
    const binding = bindings.get(first);
    let start: Read;
    let properties = rest;
    if (binding?.kind === "forloop") {
      const field = typeof rest[0] === "string" && Object.hasOwn(FORLOOP_FIELDS, rest[0]) ? FORLOOP_FIELDS[rest[0]]! : undefined;
      if (!field) throw new Unsupported();
      start = (frame) => field(frame.locals[binding.slot] as LoopState);
      properties = rest.slice(1);
    } else if (binding) {
      start = (frame) => frame.locals[binding.slot];
    } else {
      // A name the data lacks is looked up in LiquidJS's (empty) globals: `size` there is 0, not the data's key count.
      start = (frame) => readProperty(first in frame.data ? frame.data : NO_GLOBALS, first);
    }
    // `strictVariables`: LiquidJS throws at the first undefined step (its error is the one to show); in a condition it is nil.
    const missing = lenient ? () => null : () => {
      throw new NeedsLiquidJS();
    };
    return (frame) => {
      let value = start(frame);
      if (value === undefined) return missing();
      for (const key of properties) {
        value = readProperty(value, key);
        if (value === undefined) return missing();
      }
      if (typeof value === "function") throw new NeedsLiquidJS();
      return value;
    };
  }
}

const NO_GLOBALS = Object.freeze({});

/** What LiquidJS leaves to a Drop, `toLiquid` or a function: the fast fill does not guess. */
function exotic(value: unknown): boolean {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return value instanceof Drop || typeof v["toLiquid"] === "function" || (typeof v["equals"] === "function" && comparable(v));
}

/** LiquidJS's `isComparable`: such an object decides `==`, `<` and the rest itself. */
function comparable(v: Record<string, unknown>): boolean {
  return ["equals", "gt", "geq", "lt", "leq"].every((method) => typeof v[method] === "function");
}

function plain(value: unknown): unknown {
  if (exotic(value)) throw new NeedsLiquidJS();
  return value;
}

/** LiquidJS's `readProperty` with `ownPropertyOnly`: `a.b`, `a["b"]`, `a[0]`, `a[-1]`. */
function readProperty(holder: unknown, key: string | number): unknown {
  if (holder === null || holder === undefined) return holder;
  const obj = plain(holder) as Record<string | number, unknown>;
  if (typeof key === "number" && Array.isArray(obj)) return ownElement(obj, key < 0 ? obj.length + key : key);
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (typeof value === "function") throw new NeedsLiquidJS();
  if (key === "size") return readSize(obj);
  if (key === "first") return Array.isArray(obj) ? ownElement(obj, 0) : value;
  if (key === "last") return Array.isArray(obj) ? ownElement(obj, obj.length - 1) : value;
  return value;
}

function ownElement(array: readonly unknown[], index: number): unknown {
  return Object.hasOwn(array, index) ? array[index] : undefined;
}

function readSize(obj: Record<string | number, unknown>): unknown {
  if (Object.hasOwn(obj, "size") || obj["size"] !== undefined) return obj["size"];
  if (Array.isArray(obj) || typeof obj === "string") return (obj as { length: number }).length;
  if (typeof obj === "object") return Object.keys(obj).length;
  return undefined;
}

/** Liquid's truth: only false and nil are false (`jsTruthy` off). */
function truthy(value: unknown): boolean {
  const v = plain(value);
  return v !== false && v !== undefined && v !== null;
}

/** What a `for` walks: LiquidJS's `toEnumerable`. */
function enumerable(value: unknown): readonly unknown[] {
  const v = plain(value);
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return v.length > 0 ? [v] : [];
  if (v !== null && typeof v === "object") {
    if (Symbol.iterator in v) throw new NeedsLiquidJS();
    return Object.keys(v).map((key) => [key, (v as Record<string, unknown>)[key]]);
  }
  return [];
}

/** LiquidJS's `stringify`: nil is empty, an array is its items joined. */
function stringify(value: unknown): string {
  const v = plain(value);
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(stringify).join("");
  return String(v);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
const NEEDS_ESCAPE = /[&<>"']/u;
const ESCAPED = /[&<>"']/gu;

/** LiquidJS's `escape` filter, the newsletter's `outputEscape`; most values have nothing to escape. */
function escapeLikeLiquid(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c]!) : text;
}

function equals(left: unknown, right: unknown): boolean {
  const l = plain(left);
  const r = plain(right);
  if (!Array.isArray(l)) return l === r;
  if (!Array.isArray(r) || l.length !== r.length) return false;
  // An index loop, not `every`: LiquidJS compares holes too.
  for (let i = 0; i < l.length; i++) if (!equals(l[i], r[i])) return false;
  return true;
}

/** LiquidJS's default operators, for plain values. */
const BINARY_OPERATORS: Record<string, (left: unknown, right: unknown) => unknown> = {
  "==": (l, r) => equals(l, r),
  "!=": (l, r) => !equals(l, r),
  ">": (l, r) => (plain(l) as number) > (plain(r) as number),
  "<": (l, r) => (plain(l) as number) < (plain(r) as number),
  ">=": (l, r) => (plain(l) as number) >= (plain(r) as number),
  "<=": (l, r) => (plain(l) as number) <= (plain(r) as number),
  contains: (l, r) => {
    const haystack = plain(l);
    if (Array.isArray(haystack)) return haystack.some((item) => equals(item, r));
    const indexOf = (haystack as { indexOf?: unknown } | null | undefined)?.indexOf;
    if (typeof indexOf === "function") return (indexOf as (x: unknown) => number).call(haystack, plain(r)) > -1;
    return false;
  },
  and: (l, r) => truthy(l) && truthy(r),
  or: (l, r) => truthy(l) || truthy(r),
};
