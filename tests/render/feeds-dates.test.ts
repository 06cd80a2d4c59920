import { describe, expect, it } from "vitest";
import { publishedAt, zonedInstant } from "../../src/render/dates.js";
import { testConfig } from "./feed-fixtures.js";

function at(date: string, timezone: string, publishTime: string) {
  return publishedAt({ date }, testConfig({ site: { timezone, publishTime } }));
}

describe("publishedAt: an issue's date at site.publishTime in site.timezone", () => {
  it("writes the offset, in RFC 3339 and RFC 822, for the sample's zone", () => {
    const p = at("2020-10-30", "Asia/Shanghai", "08:00");
    expect(p.iso).toBe("2020-10-30T08:00:00+08:00");
    expect(p.rfc822).toBe("Fri, 30 Oct 2020 08:00:00 +0800");
    expect(p.date.toISOString()).toBe("2020-10-30T00:00:00.000Z");
  });

  it("is exact on the days clocks change: the offset of that moment, not of the day before", () => {
    expect(at("2020-03-29", "Europe/Berlin", "08:00").iso).toBe("2020-03-29T08:00:00+02:00");
    expect(at("2020-03-28", "Europe/Berlin", "08:00").iso).toBe("2020-03-28T08:00:00+01:00");
    expect(at("2020-10-25", "Europe/Berlin", "08:00").iso).toBe("2020-10-25T08:00:00+01:00");
    expect(at("2020-11-01", "America/New_York", "08:00").rfc822).toBe("Sun, 01 Nov 2020 08:00:00 -0500");
    expect(at("2020-03-08", "America/New_York", "08:00").rfc822).toBe("Sun, 08 Mar 2020 08:00:00 -0400");
  });

  it("a skipped time lands just after the gap; a repeated time means its first occurrence, in every zone", () => {
    expect(at("2020-03-29", "Europe/Berlin", "02:30").iso).toBe("2020-03-29T03:30:00+02:00");
    expect(at("2020-03-08", "America/New_York", "02:30").iso).toBe("2020-03-08T03:30:00-04:00");
    expect(at("2020-10-25", "Europe/Berlin", "02:30").iso).toBe("2020-10-25T02:30:00+02:00");
    expect(at("2020-11-01", "America/New_York", "01:30").iso).toBe("2020-11-01T01:30:00-04:00");
    // Lord Howe Island moves its clocks by half an hour.
    expect(at("2020-10-04", "Australia/Lord_Howe", "02:15").iso).toBe("2020-10-04T02:45:00+11:00");
  });

  it("UTC and zones west of it", () => {
    expect(at("2020-01-01", "UTC", "00:00").date.toISOString()).toBe("2020-01-01T00:00:00.000Z");
    expect(zonedInstant("2020-12-31", "23:59", "America/Los_Angeles").toISOString()).toBe("2021-01-01T07:59:00.000Z");
  });

  it("depends on nothing but the date and the configuration", () => {
    expect(at("2020-10-30", "Asia/Shanghai", "08:00")).toEqual(at("2020-10-30", "Asia/Shanghai", "08:00"));
  });
});
