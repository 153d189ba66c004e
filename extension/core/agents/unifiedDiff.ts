/**
 * A unified diff (`diff -u` format, 3 lines of context) between two texts, line by line. Profile files are a
 * few hundred lines at most, so the plain longest-common-subsequence table is quick enough and needs no
 * dependency. `undefined` old text means a new file: the header names /dev/null.
 */
export function unifiedDiff(
  oldText: string | undefined,
  newText: string,
  names: { old: string; new: string },
  context = 3,
): string {
  const a = oldText === undefined ? [] : splitLines(oldText);
  const b = splitLines(newText);
  const ops = diffLines(a, b);
  if (ops.every((op) => op.type === ' ')) return '';
  const header = `--- ${oldText === undefined ? '/dev/null' : names.old}\n+++ ${names.new}\n`;

  // Indexes of the changed ops, grouped into hunks whose context windows touch.
  const hunks: [number, number][] = [];
  ops.forEach((op, i) => {
    if (op.type === ' ') return;
    const last = hunks[hunks.length - 1];
    if (last && i - last[1] <= context * 2) last[1] = i;
    else hunks.push([i, i]);
  });

  let out = header;
  for (const [first, last] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(start, end + 1);
    const oldStart = ops.slice(0, start).filter((op) => op.type !== '+').length;
    const newStart = ops.slice(0, start).filter((op) => op.type !== '-').length;
    const oldCount = slice.filter((op) => op.type !== '+').length;
    const newCount = slice.filter((op) => op.type !== '-').length;
    out += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
    for (const op of slice) out += `${op.type}${op.line}\n`;
  }
  return out;
}

/** `start,count` with diff's conventions: 1-based, and an empty side names the line before it. */
function range(start: number, count: number): string {
  return count === 0 ? `${start},0` : `${start + 1},${count}`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface Op {
  type: ' ' | '-' | '+';
  line: string;
}

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ type: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ type: '-', line: a[i++]! });
    else ops.push({ type: '+', line: b[j++]! });
  }
  while (i < a.length) ops.push({ type: '-', line: a[i++]! });
  while (j < b.length) ops.push({ type: '+', line: b[j++]! });
  return ops;
}
