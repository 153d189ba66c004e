import { compareWeeks, localDay, logsArchiveWeek, stateArchiveTime } from './archiveNames';

/**
 * Which state archives to keep: the newest of each of the last `keepDaily` local days (today included); older
 * ones, and the earlier archives of a kept day, go. Archives dated after `now` (a clock set back) are kept:
 * deleting what we do not understand is worse than keeping a file too many. Names that are not ours are
 * never touched.
 */
export function planStateRetention(
  names: readonly string[],
  now: Date,
  keepDaily: number,
): { keep: string[]; remove: string[] } {
  const days = new Set<string>();
  for (let i = 0; i < keepDaily; i++) {
    days.add(localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - i)));
  }
  const newestOfDay = new Map<string, { name: string; at: number }>();
  const dated: { name: string; at: Date }[] = [];
  for (const name of names) {
    const at = stateArchiveTime(name);
    if (!at) continue;
    dated.push({ name, at });
    const day = localDay(at);
    const best = newestOfDay.get(day);
    if (!best || at.getTime() > best.at) newestOfDay.set(day, { name, at: at.getTime() });
  }
  const keep: string[] = [];
  const remove: string[] = [];
  for (const { name, at } of dated) {
    const future = at.getTime() > now.getTime();
    const day = localDay(at);
    if (future || (days.has(day) && newestOfDay.get(day)?.name === name)) keep.push(name);
    else remove.push(name);
  }
  return { keep: keep.sort(), remove: remove.sort() };
}

/** Which weekly log archives to keep: the newest `keepWeekly` weeks. */
export function planLogsRetention(
  names: readonly string[],
  keepWeekly: number,
): { keep: string[]; remove: string[] } {
  const weekly = names
    .map((name) => ({ name, week: logsArchiveWeek(name) }))
    .filter((w): w is { name: string; week: NonNullable<typeof w.week> } => w.week !== undefined)
    .sort((a, b) => compareWeeks(b.week, a.week));
  return {
    keep: weekly
      .slice(0, keepWeekly)
      .map((w) => w.name)
      .sort(),
    remove: weekly
      .slice(keepWeekly)
      .map((w) => w.name)
      .sort(),
  };
}
