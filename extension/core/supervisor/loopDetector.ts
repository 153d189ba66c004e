/**
 * An agent that says the same thing again and again, or alternates between two answers (A-B-A-B), is stuck even
 * when its screen keeps changing. `items` are fingerprints (of turn outputs or of FleetAI's own actions), oldest
 * first.
 */
export interface LoopFinding {
  pattern: 'repeat' | 'alternate';
  items: string[];
}

export function detectLoop(
  items: readonly string[],
  options: { repeats: number; window: number },
): LoopFinding | undefined {
  const recent = items.slice(-options.window);
  const repeats = Math.max(2, options.repeats);
  if (recent.length >= repeats) {
    const tail = recent.slice(-repeats);
    if (tail.every((item) => item === tail[0])) return { pattern: 'repeat', items: tail };
  }
  // A-B-A-B: two distinct items, each seen `repeats - 1` times or at least twice, strictly alternating.
  const pairs = Math.max(2, repeats - 1);
  if (recent.length >= pairs * 2) {
    const tail = recent.slice(-pairs * 2);
    const [a, b] = tail;
    if (a !== b && tail.every((item, i) => item === (i % 2 === 0 ? a : b))) {
      return { pattern: 'alternate', items: tail };
    }
  }
  return undefined;
}

/** A short stable fingerprint of a screen region: digits and spinners removed, so timers do not hide a loop. */
export function fingerprint(lines: readonly string[]): string {
  const text = lines
    .map((l) => l.replace(/[\d\u2800-\u28ff•◦●○✻✶✳✢·✽]+/g, '').trim())
    .filter(Boolean)
    .join('\n');
  // FNV-1a: enough to compare, cheap, no crypto needed.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
