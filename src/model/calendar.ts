/**
 * `YYYY-MM-DD` naming a day that exists (`2021-02-30` does not): an issue's
 * date, in the proleptic Gregorian calendar. Plain arithmetic: the build
 * checks every file name of the archive, and parsing and formatting each
 * with date-fns took a tenth of a second.
 */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Orders dated things oldest first: `YYYY-MM-DD` dates sort as plain strings (localeCompare would ask the collator, thousands of times in a build). */
export function compareDates(a: { date: string }, b: { date: string }): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
}
