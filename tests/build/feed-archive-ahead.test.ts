import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateArchive } from "../../bench/generate.js";
import { loadCatalog } from "../../src/build/catalog.js";
import { FeedArchiveAhead } from "../../src/build/feed-archive-ahead.js";
import { IssuesSnapshot } from "../../src/build/fingerprint.js";
import { OutputListing, siteKey, type Manifest } from "../../src/build/plan.js";
import { OutputStage } from "../../src/build/write.js";
import { resolveConfig } from "../../src/config/load.js";
import type { Issue } from "../../src/model/issue.js";
import { feedUnits } from "../../src/render/feeds.js";
import { renderUnits } from "../../src/render/site-unit.js";
import { repoRoot } from "../support/golden.js";

/** 70 daily issues from 2020-01-01: January and February complete, March the newest month. */
async function archive() {
  const dir = await mkdtemp(join(tmpdir(), "letterpress-feed-ahead-"));
  const { issuesDir, dates } = await generateArchive(dir, { issues: 70, firstDate: "2020-01-01", subscribers: 0 });
  const config = resolveConfig(JSON.parse(await readFile(join(repoRoot, "letterpress.config.json"), "utf8")), "letterpress.config.json");
  const outDir = join(dir, "out");
  const stage = OutputStage.open(outDir);
  const models = new Map<string, Issue>();
  const ahead = new FeedArchiveAhead({ config, site: siteKey(config), previous: undefined, output: new OutputListing(outDir), stage, models });
  return { issuesDir, dates, config, stage, models, ahead };
}

/** A unit's files as text, by path. */
function texts(files: Iterable<{ path: string; contents: unknown }>, stagingDir?: string): Promise<Map<string, string>> {
  return Promise.all(
    [...files].map(async (file): Promise<[string, string]> => [file.path, stagingDir ? await readFile(join(stagingDir, file.path), "utf8") : String(file.contents)]),
  ).then((entries) => new Map(entries));
}

describe("the feed archive made while reading", () => {
  it("makes each complete month's page once the worker runs, as the build's own pass makes it, and lets go of its models", async () => {
    const { issuesDir, dates, config, stage, models, ahead } = await archive();
    // The worker "starts" on 15 January: January is complete (and made) when 1 February is read.
    const { catalog } = await loadCatalog({
      snapshot: new IssuesSnapshot(issuesDir),
      config,
      models,
      onRecord: (date, record, issue) => ahead.read(date, record, issue !== undefined, date >= "2020-01-15"),
    });

    expect([...ahead.made.keys()]).toEqual(["feed-archive:2020-01", "feed-archive:2020-02"]);
    expect(ahead.made.get("feed-archive:2020-01")!.files).toEqual(["feed-archive/2020-01.xml"]);
    // January's and February's models are gone; March's, which the main feed and its page need, are kept.
    expect([...models.keys()]).toEqual(dates.filter((date) => date.startsWith("2020-03")));

    // Byte for byte what the build's own pass renders from the whole catalog (it parses the models let go again).
    const own = [...renderUnits(feedUnits(catalog, config))].filter((file) => /^feed-archive\/2020-0[12]\.xml$/u.test(file.path));
    expect(own).toHaveLength(2);
    const staged = await texts(own, stage.dir);
    for (const [path, text] of await texts(own)) expect(staged.get(path), path).toBe(text);
    expect(staged.get("feed-archive/2020-01.xml")).toContain('<link rel="next-archive" href="https://');
    stage.discard();
  });

  it("leaves a month with an unchanged issue (no model at hand) and the months before the worker runs to the build's own pass", async () => {
    // The worker "starts" on 2 February, after January was complete; on 10 February an issue is read unchanged.
    const { issuesDir, dates, config, stage, models, ahead } = await archive();
    await loadCatalog({
      snapshot: new IssuesSnapshot(issuesDir),
      config,
      models,
      onRecord: (date, record, issue) => ahead.read(date, record, issue !== undefined && date !== "2020-02-10", date >= "2020-02-02"),
    });
    expect(ahead.made.size).toBe(0);
    expect(stage.paths).toEqual([]);
    expect(models.size).toBe(dates.length);
    stage.discard();
  });

  it("makes nothing for a month whose page the last build made from the same issues, and lets go of its models all the same", async () => {
    const { issuesDir, config, stage, models, ahead } = await archive();
    const read = (into: FeedArchiveAhead, kept: Map<string, Issue>) =>
      loadCatalog({ snapshot: new IssuesSnapshot(issuesDir), config, models: kept, onRecord: (date, record, issue) => into.read(date, record, issue !== undefined, true) });
    await read(ahead, models);
    const outDir = join(stage.dir, "..");
    stage.commit();
    // What the manifest would say of the pages: the same keys, their files in place.
    const previous = { site: Object.fromEntries(ahead.made), issues: {} } as unknown as Manifest;

    const again = OutputStage.open(outDir);
    const keptAgain = new Map<string, Issue>();
    const second = new FeedArchiveAhead({ config, site: siteKey(config), previous, output: new OutputListing(outDir), stage: again, models: keptAgain });
    await read(second, keptAgain);
    expect(second.made.size).toBe(0);
    expect(again.paths).toEqual([]);
    expect([...keptAgain.keys()].every((date) => date.startsWith("2020-03"))).toBe(true);
    again.discard();
  });
});
