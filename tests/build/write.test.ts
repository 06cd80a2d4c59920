import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OutputStage, writeOutputs } from "../../src/build/write.js";
import { textPieces } from "../../src/render/output-file.js";

async function outDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "letterpress-write-")), "out");
}

describe("OutputStage", () => {
  it("puts nothing in out/ until commit, then every file, in new and existing folders alike", async () => {
    const out = await outDir();
    await mkdir(join(out, "email"), { recursive: true });
    await writeFile(join(out, "email", "old.html"), "old");
    const stage = OutputStage.open(out);
    stage.add({ path: "email/new.html", contents: "new" });
    stage.add({ path: "issues/2020-10-30/index.html", contents: "page" });
    stage.add({ path: "issues/2020-10-30/f01.png", contents: new Uint8Array([1, 2]) });
    stage.add({ path: "index.html", contents: "index" });
    expect(existsSync(join(out, "issues"))).toBe(false);
    expect(existsSync(join(out, "email", "new.html"))).toBe(false);
    const { written } = stage.commit();
    expect(written.sort()).toEqual(["email/new.html", "index.html", "issues/2020-10-30/f01.png", "issues/2020-10-30/index.html"]);
    expect(await readFile(join(out, "issues/2020-10-30/index.html"), "utf8")).toBe("page");
    expect([...(await readFile(join(out, "issues/2020-10-30/f01.png")))]).toEqual([1, 2]);
    expect(await readFile(join(out, "email/old.html"), "utf8")).toBe("old");
    // The staging folder is gone.
    expect((await readdir(out)).filter((n) => n.startsWith(".staging-"))).toEqual([]);
  });

  it("writes text in pieces as the joined text's UTF-8, for pieces larger than its buffer, one after another", async () => {
    const out = await outDir();
    // Over a million UTF-16 units in all: past the buffer the pieces start with, CJK and an emoji (a surrogate pair) in every piece.
    const pieces = Array.from({ length: 400 }, (_, i) => `<li>${i} 机器学习 🤖 ${"x".repeat(2_000)}${"模".repeat(700)}</li>\n`);
    const small = textPieces("letterpressSearch(", '{"a":"é"}', ");\n");
    writeOutputs(out, [
      { path: "index.html", contents: textPieces(...pieces) },
      { path: "search/2020.js", contents: small },
      { path: "empty.txt", contents: textPieces() },
    ]);
    expect((await readFile(join(out, "index.html"))).equals(Buffer.from(pieces.join(""), "utf8"))).toBe(true);
    expect(await readFile(join(out, "search/2020.js"), "utf8")).toBe('letterpressSearch({"a":"é"});\n');
    expect(await readFile(join(out, "empty.txt"), "utf8")).toBe("");
  });

  it("leaves a file whose bytes are unchanged as it was, modification time included", async () => {
    const out = await outDir();
    writeOutputs(out, [{ path: "feed.xsl", contents: "same" }, { path: "feed.xml", contents: "v1" }]);
    const past = new Date("2001-01-01T00:00:00Z");
    await utimes(join(out, "feed.xsl"), past, past);
    const { written } = writeOutputs(out, [{ path: "feed.xsl", contents: "same" }, { path: "feed.xml", contents: "v2" }]);
    expect(written).toEqual(["feed.xml"]);
    expect((await stat(join(out, "feed.xsl"))).mtime.toISOString()).toBe(past.toISOString());
    expect(await readFile(join(out, "feed.xml"), "utf8")).toBe("v2");
  });

  it("discards everything staged when the build fails, and never writes outside out/", async () => {
    const out = await outDir();
    await mkdir(out);
    const stage = OutputStage.open(out);
    stage.add({ path: "a/b.html", contents: "x" });
    expect(() => stage.add({ path: "../escape.txt", contents: "x" })).toThrow(/outside/u);
    stage.discard();
    expect(await readdir(out)).toEqual([]);
  });

  it("takes away the folders it made for out/ when the build fails, and only those", async () => {
    const parent = await outDir();
    await mkdir(parent);
    const out = join(parent, "site", "public");
    const stage = OutputStage.open(out);
    stage.add({ path: "a/b.html", contents: "x" });
    stage.discard();
    expect(await readdir(parent)).toEqual([]);

    const kept = OutputStage.open(out);
    kept.add({ path: "a/b.html", contents: "x" });
    kept.commit();
    expect(await readFile(join(out, "a/b.html"), "utf8")).toBe("x");
  });

  it("removes the files an earlier build made that this one does not", async () => {
    const out = await outDir();
    writeOutputs(out, [{ path: "issues/2020-10-30/index.html", contents: "a" }, { path: "issues/2020-11-02/index.html", contents: "b" }]);
    writeOutputs(out, [{ path: "issues/2020-10-30/index.html", contents: "a" }], { remove: ["issues/2020-11-02/index.html"] });
    expect(existsSync(join(out, "issues/2020-11-02/index.html"))).toBe(false);
    expect(existsSync(join(out, "issues/2020-10-30/index.html"))).toBe(true);
    // The folder it leaves empty goes; one that holds a file no build makes stays, with the file.
    expect(existsSync(join(out, "issues/2020-11-02"))).toBe(false);
    writeOutputs(out, [{ path: "issues/2020-12-01/index.html", contents: "c" }]);
    await writeFile(join(out, "issues/2020-12-01/notes.txt"), "the editor's");
    writeOutputs(out, [], { remove: ["issues/2020-12-01/index.html", "issues/2020-10-30/index.html"] });
    expect(await readdir(join(out, "issues"))).toEqual(["2020-12-01"]);
    expect(await readdir(join(out, "issues/2020-12-01"))).toEqual(["notes.txt"]);
  });
});
