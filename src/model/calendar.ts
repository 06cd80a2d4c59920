import { format, isValid, parseISO } from "date-fns";

/** `YYYY-MM-DD` naming a day that exists (`2021-02-30` does not): an issue's date. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(text)) return false;
  const parsed = parseISO(text);
  return isValid(parsed) && format(parsed, "yyyy-MM-dd") === text;
}
