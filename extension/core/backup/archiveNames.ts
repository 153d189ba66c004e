/**
 * The archive names of `.fleetai/backups/`: `state-YYYYMMDD-HHMMSS.tar.gz` (local time, so "the newest of each
 * day" means the user's day, the same clock `backup.time` is read in) and `logs-YYYY-Www.tar.gz` (ISO week).
 * Names sort by time, and the date is read back from the name alone: copying archives around keeps their dates.
 */

const STATE = /^state-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.tar\.gz$/;
const LOGS = /^logs-(\d{4})-W(\d{2})\.tar\.gz$/;

const two = (n: number): string => String(n).padStart(2, '0');

export function stateArchiveName(at: Date): string {
  return (
    `state-${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-` +
    `${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}.tar.gz`
  );
}

/** The local time a state archive's name carries, or undefined for any other name. */
export function stateArchiveTime(name: string): Date | undefined {
  const m = STATE.exec(name);
  if (!m) return undefined;
  const [year, month, day, hours, minutes, seconds] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = new Date(year, month - 1, day, hours, minutes, seconds);
  // 20261399-... would roll over into another date: not one of ours.
  return stateArchiveName(at) === name ? at : undefined;
}

/** The local calendar day of a date, as a key ("2026-11-21"). */
export function localDay(at: Date): string {
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
}

export interface IsoWeek {
  year: number;
  week: number;
}

/** The ISO 8601 week of a local date: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(at: Date): IsoWeek {
  const day = new Date(Date.UTC(at.getFullYear(), at.getMonth(), at.getDate()));
  const weekday = day.getUTCDay() || 7;
  // The Thursday of this week decides the year the week belongs to.
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return { year: day.getUTCFullYear(), week };
}

export function logsArchiveName(week: IsoWeek): string {
  return `logs-${week.year}-W${two(week.week)}.tar.gz`;
}

export function logsArchiveWeek(name: string): IsoWeek | undefined {
  const m = LOGS.exec(name);
  if (!m) return undefined;
  const week = { year: Number(m[1]), week: Number(m[2]) };
  return week.week >= 1 && week.week <= 53 ? week : undefined;
}

/** Orders ISO weeks; negative when `a` comes first. */
export function compareWeeks(a: IsoWeek, b: IsoWeek): number {
  return a.year - b.year || a.week - b.week;
}
