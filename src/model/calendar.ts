// Deep imports: the package root loads all of date-fns (about a quarter of a second at start-up).
import { format } from "date-fns/format";
import { isValid } from "date-fns/isValid";
import { parseISO } from "date-fns/parseISO";

/** `YYYY-MM-DD` naming a day that exists (`2021-02-30` does not): an issue's date. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(text)) return false;
  const parsed = parseISO(text);
  return isValid(parsed) && format(parsed, "yyyy-MM-dd") === text;
}
