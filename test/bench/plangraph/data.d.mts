// Types of data.mjs for the unit tests that check the app accepts the bench's plans.
export function planSnapshot(options?: { size?: number; progress?: number; now?: number }): unknown;
export function planTree(size: number): { root: string; nodes: unknown[] };
export function flowOf(plan: { root: string; nodes: unknown[] }): unknown;
