import { createTwoFilesPatch } from 'diff';

/** A unified diff of a file's text before and after, as `git diff` shows it (`a/<name>`, `b/<name>`). */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 })
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('=')))
    .join('\n');
}
