import { createTwoFilesPatch } from 'diff';

/**
 * A unified diff (`diff -u`, 3 lines of context) of a file's text before and after, as shown before FleetAI
 * writes a file the user must accept (a generated agent profile, a task draft merged into the config). `undefined`
 * before means a new file: the header names /dev/null. Same texts: an empty string.
 */
export function unifiedDiff(
  before: string | undefined,
  after: string,
  names: { old: string; new: string },
  context = 3,
): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : names.old,
    names.new,
    before ?? '',
    after,
    undefined,
    undefined,
    { context },
  );
  // The package starts with a line of "=" (its Index: block without the Index line); `diff -u` has none.
  return patch.startsWith('===') ? patch.slice(patch.indexOf('\n') + 1) : patch;
}
