import { describe, expect, it } from "vitest";
import { isCalendarDate } from "../../src/model/calendar.js";

describe("isCalendarDate", () => {
  it("takes the days that exist, leap days included", () => {
    for (const date of ["2020-10-30", "2020-02-29", "2000-02-29", "2024-02-29", "2021-12-31", "2021-04-30", "1999-01-01"]) expect(isCalendarDate(date), date).toBe(true);
  });

  it("refuses days that do not, and other spellings", () => {
    for (const date of ["2021-02-29", "1900-02-29", "2100-02-29", "2021-02-30", "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00", "2021-01-32", "2021-1-01", "20210101", "2021-01-01T00:00"]) {
      expect(isCalendarDate(date), date).toBe(false);
    }
  });
});
