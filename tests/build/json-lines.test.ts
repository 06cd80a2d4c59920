import { describe, expect, it } from "vitest";
import { decodeJsonLines, encodeJsonLines, entriesOf } from "../../src/build/json-lines.js";

describe("the build's records as JSON Lines", () => {
  it("gives back what it wrote, a line each, text with line breaks and CJK included", () => {
    const values = [{ version: 5 }, ["2020-10-30", { title: "机器学习\nline two", n: 1 }], ["2020-11-02", { item: "<li>★ a & b</li>\n" }]];
    const bytes = encodeJsonLines(values);
    expect(bytes.toString("utf8").split("\n")).toHaveLength(values.length + 1);
    expect(decodeJsonLines(bytes)).toEqual(values);
    expect(entriesOf(decodeJsonLines(bytes)!.slice(1))).toEqual(values.slice(1));
  });

  it("takes no line cut short, and no line that is not a pair for entries", () => {
    const bytes = encodeJsonLines([{ version: 5 }, ["2020-10-30", { a: 1 }]]);
    expect(decodeJsonLines(bytes.subarray(0, bytes.length - 5))).toBeUndefined();
    expect(decodeJsonLines(Buffer.from('{"a":1}\n\n{"b":2}'))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(entriesOf([["2020-10-30", {}], { issues: {} }])).toBeUndefined();
    expect(entriesOf([[1, {}]])).toBeUndefined();
  });
});
