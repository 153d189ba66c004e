/**
 * Structural sharing between two whole snapshots: returns `next`, except that every part equal to the same part
 * of `prev` is `prev`'s object. Snapshots arrive whole several times a second; with this, a pane or approval
 * that did not change keeps its identity and its memoised row is not rendered again.
 *
 * Arrays of objects with a string `id` are matched by id (a removed approval does not shift the others), other
 * arrays by position.
 */
export function keepIdentity<T>(prev: T | undefined, next: T): T {
  if (prev === undefined) return next;
  return share(prev, next) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  return isPlainObject(value) && typeof value.id === 'string' ? value.id : undefined;
}

function share(prev: unknown, next: unknown): unknown {
  if (Object.is(prev, next)) return prev;
  if (Array.isArray(prev) && Array.isArray(next)) return shareArray(prev, next);
  if (isPlainObject(prev) && isPlainObject(next)) return shareObject(prev, next);
  return next;
}

function shareArray(prev: unknown[], next: unknown[]): unknown[] {
  const byId = new Map<string, unknown>();
  for (const item of prev) {
    const id = idOf(item);
    if (id !== undefined) byId.set(id, item);
  }
  let same = prev.length === next.length;
  const out = next.map((item, index) => {
    const id = idOf(item);
    const before = id !== undefined && byId.size > 0 ? byId.get(id) : prev[index];
    const shared = before === undefined ? item : share(before, item);
    if (shared !== prev[index]) same = false;
    return shared;
  });
  return same ? prev : out;
}

function shareObject(prev: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(prev).length;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const shared = Object.hasOwn(prev, key) ? share(prev[key], next[key]) : next[key];
    if (shared !== prev[key] || !Object.hasOwn(prev, key)) same = false;
    out[key] = shared;
  }
  return same ? prev : out;
}
