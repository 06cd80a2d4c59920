import { Drop, Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATES_DIR, liquid, loadNewsletterTemplate, newsletterFields, shortenAbstracts } from "../../src/render/email.js";
import { viewIssue, type IssueView } from "../../src/render/issue-view.js";
import { compileFastFill, NeedsLiquidJS } from "../../src/render/liquid-fast-fill.js";
import { loadSampleIssues, makeEntry, testConfig } from "./email-fixtures.js";

/**
 * The fast fill must write exactly what LiquidJS's `renderSync` writes, with
 * the newsletter's Liquid options: on the real template and every example
 * issue, and on each construct it ports, with the values where Liquid's
 * rules differ from JavaScript's. Where LiquidJS throws, the fast fill must
 * hand over (`NeedsLiquidJS`) rather than write anything.
 */

const config = testConfig();

function fastFillOf(source: string, engine: Liquid = liquid) {
  return compileFastFill(engine.parse(source), engine);
}

/** What a fill gave: its output, or what it threw. */
function outcome(fill: () => string): { output: string } | { error: unknown } {
  try {
    return { output: fill() };
  } catch (error) {
    return { error };
  }
}

/** Both fills of one template and data: LiquidJS's output or error, and the fast fill's. */
function bothFills(source: string, data: object) {
  const fast = fastFillOf(source);
  if (!fast) throw new Error(`no fast fill for ${source}`);
  return { expected: outcome(() => liquid.parseAndRenderSync(source, data) as string), actual: outcome(() => fast(data)) };
}

describe("the newsletter template's fast fill", async () => {
  const issues = await loadSampleIssues();
  const compiled = await loadNewsletterTemplate(DEFAULT_TEMPLATES_DIR);

  it("is what the default templates get", () => {
    expect(compiled.fastFill).toBeTypeOf("function");
  });

  const variants: [string, (view: IssueView) => IssueView][] = [
    ["as it is", (view) => view],
    ["with its abstracts shortened (read-on links)", (view) => shortenAbstracts(view, 120)],
    ["with no extras, tags, legend or summary", (view) => ({ ...view, extras: [], tags: [], legend: [], summary: undefined })],
    ["with every entry starred, linked and in a category", (view) => ({ ...view, entries: view.entries.map((e) => ({ ...e, starred: true, starMarks: "★★", link: "https://example.org/a?b=1&c='2'" })) })],
  ];
  const cases = issues.flatMap((issue) => variants.map(([how, edit]) => [`${issue.date} ${how}`, issue, edit] as const));

  it.each(cases)("writes what LiquidJS writes, for %s", (_, issue, edit) => {
    const data = newsletterFields(edit(viewIssue(issue, config)), config);
    const expected = liquid.renderSync(compiled.template, data) as string;
    expect(compiled.fastFill!(data)).toBe(expected);
    // Not two empty strings: the issue is in it.
    expect(expected).toContain(issue.entries[0]!.title.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("'", "&#39;").replaceAll('"', "&#34;"));
  });

  it("writes what LiquidJS writes for a synthetic issue of 20 entries", () => {
    const issue = { ...issues[0]!, entries: Array.from({ length: 20 }, (_, i) => makeEntry(i + 1)) };
    const data = newsletterFields(viewIssue(issue, config), config);
    expect(compiled.fastFill!(data)).toBe(liquid.renderSync(compiled.template, data));
  });
});

describe("each construct, against LiquidJS", () => {
  const values = {
    text: "a <b> & \"c\" 'd'",
    emptyText: "",
    zero: 0,
    number: 2.5,
    yes: true,
    no: false,
    nothing: null,
    list: ["x", "<y>", 3],
    nested: [["a", "b"], ["c"]],
    none: [],
    object: { a: 1, b: "two", size: 7 },
    counts: { a: 1, b: 2 },
    entries: [
      { title: "First & one", tags: ["p", "q"], link: null, n: 1 },
      { title: "Second", tags: [], link: "https://example.org/?a=1&b=2", n: 2 },
      { title: "Third", tags: ["r"], link: "", n: 3 },
    ],
    size: "data's own size",
  };

  const templates = [
    "plain text, no tags",
    "{{ text }}|{{ emptyText }}|{{ zero }}|{{ number }}|{{ yes }}|{{ no }}|{{ nothing }}|{{ list }}|{{ nested }}|{{ object }}",
    "{{ text.size }} {{ list.size }} {{ none.size }} {{ object.size }} {{ counts.size }} {{ list.first }} {{ list.last }}{% if zero.size %}x{% else %}no size{% endif %}{% if none.first %}x{% else %}no first{% endif %}",
    "{{ entries.first.title }} / {{ entries.last.title }} / {{ entries[1].title }} / {{ object['b'] }}",
    "{{ size }}",
    "{% if emptyText %}empty text is true{% endif %}{% if zero %}zero is true{% endif %}{% if nothing %}nil{% else %}nil is false{% endif %}{% if no %}{% elsif yes %}elsif{% endif %}",
    "{% if missing %}x{% else %}missing is nil in a condition{% endif %}{% if missing.deeper %}x{% endif %}{% unless missing %}unless{% endunless %}",
    "{% unless yes %}a{% elsif yes %}b{% else %}c{% endunless %}{% unless no %}d{% else %}e{% endunless %}",
    "{% if list.size > 2 and text != '' %}1{% endif %}{% if zero == 0 or nope %}2{% endif %}{% if not yes %}3{% else %}4{% endif %}{% if yes and no or yes %}5{% endif %}",
    "{% if list contains 3 %}a{% endif %}{% if list contains '3' %}b{% endif %}{% if text contains '<b>' %}c{% endif %}{% if object contains 'a' %}d{% endif %}{% if nested contains list %}e{% endif %}",
    "{% if number >= 2.5 %}a{% endif %}{% if number < 3 %}b{% endif %}{% if text > 'a' %}c{% endif %}{% if list == list %}d{% endif %}{% if nested.first == nested.first %}e{% endif %}",
    "{% for e in entries %}{{ forloop.index }}/{{ forloop.length }} {{ e.title }}{% if e.link %} <{{ e.link }}>{% endif %}{% for t in e.tags %}[{{ t }}{% unless forloop.last %},{% endunless %}]{% else %}(no tags){% endfor %}{% if forloop.first %}!{% endif %} {{ forloop.rindex }}{{ forloop.rindex0 }}{{ forloop.index0 }}\n{% endfor %}",
    "{% for x in none %}x{% else %}nothing{% endfor %}{% for c in text %}[{{ c }}]{% endfor %}{% for pair in counts %}{{ pair }};{% endfor %}{% for y in emptyText %}y{% else %}empty string{% endfor %}",
    "{% for text in list %}{{ text }}{% endfor %} then {{ text }}",
    "{{ text == text }}{{ list == nested }}{{ 'quoted' }}{{ 42 }}{{ true }}",
    "a  {%- if yes -%}  b  {%- endif -%}  c {{- text -}} d",
    "{% comment %}{{ missing }} not shown{% endcomment %}{% # an inline comment %}{% raw %}{{ text }} {% if %} as written{% endraw %}|{{ text }}",
  ];

  it.each(templates)("fills %j as LiquidJS does", (source) => {
    const { expected, actual } = bothFills(source, values);
    expect(expected).toHaveProperty("output");
    expect(actual).toEqual(expected);
  });

  it.each([
    ["an undefined variable", "{{ missing }}"],
    ["an undefined property", "{{ object.missing }}"],
    ["an undefined loop collection", "{% for x in missing %}{% endfor %}"],
  ])("hands %s over to LiquidJS, which throws", (_, source) => {
    const { expected, actual } = bothFills(source, values);
    expect(expected).toHaveProperty("error");
    expect((actual as { error: unknown }).error).toBeInstanceOf(NeedsLiquidJS);
  });

  it("hands Drops, functions and objects with toLiquid over to LiquidJS", () => {
    class Named extends Drop {
      name = "drop";
    }
    for (const data of [{ value: new Named() }, { value: () => "f" }, { value: { toLiquid: () => "liquid" } }]) {
      const fill = fastFillOf("{{ value }}{{ value.name }}")!;
      expect(() => fill(data)).toThrow(NeedsLiquidJS);
    }
  });
});

describe("what the fast fill leaves to LiquidJS", () => {
  it.each([
    "{{ text | upcase }}",
    "{{ text | raw }}",
    "{% assign a = 1 %}{{ a }}",
    "{% if x == nil %}{% endif %}",
    "{% if x == empty %}{% endif %}",
    "{% for x in (1..3) %}{{ x }}{% endfor %}",
    "{% for x in list limit: 2 %}{{ x }}{% endfor %}",
    "{% for x in list %}{{ forloop.name }}{% endfor %}",
    "{% for x in list %}{% break %}{% endfor %}",
    "{% case x %}{% when 1 %}one{% endcase %}",
    "{% if x %}{{ y | default: 'z' }}{% endif %}",
  ])("%j: no fast fill", (source) => {
    expect(fastFillOf(source)).toBeUndefined();
  });

  it("a Liquid instance with other options", () => {
    expect(fastFillOf("{{ x }}", new Liquid({ outputEscape: "escape" }))).toBeUndefined();
    expect(fastFillOf("{{ x }}", new Liquid({ outputEscape: "escape", strictVariables: true, lenientIf: true, ownPropertyOnly: true, jsTruthy: true }))).toBeUndefined();
    expect(fastFillOf("{{ x }}", new Liquid({ outputEscape: "escape", strictVariables: true, lenientIf: true, ownPropertyOnly: true }))).toBeTypeOf("function");
  });
});
