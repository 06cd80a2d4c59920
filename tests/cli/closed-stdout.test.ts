import { spawn } from "node:child_process";
import { cp, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCompiled } from "../support/compiled.js";
import { repoRoot } from "../support/golden.js";

beforeAll(() => ensureCompiled(), 120_000);

/** `letterpress build | head -1`: the reader of standard output goes before the build has said anything. */
describe("a build whose standard output is closed", () => {
  it("finishes its work and exits 0, with no error and no staging folder left in out/", async () => {
    const dir = await mkdtemp(join(tmpdir(), "letterpress-epipe-"));
    await cp(join(repoRoot, "issues"), join(dir, "issues"), { recursive: true });
    const child = spawn(process.execPath, [join(repoRoot, "bin/letterpress.js"), "build", "--issues", join(dir, "issues"), "--out", join(dir, "out"), "--config", join(repoRoot, "letterpress.config.json")], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const written = await readdir(join(dir, "out"));
    expect(written).toContain("feed.xml");
    expect(written.filter((name) => name.startsWith(".staging-"))).toEqual([]);
  });
});
