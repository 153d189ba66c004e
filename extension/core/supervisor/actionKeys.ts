import type { PaneMeta } from './paneMetadata';

const ACTION_KEYS_KEPT = 12;

/** Adds a key to the pane's recent actions, the evidence the loop check (checkLoop) looks at; keeps the last few. */
export function pushActionKey(meta: PaneMeta, key: string): void {
  meta.action_keys.push(key);
  if (meta.action_keys.length > ACTION_KEYS_KEPT)
    meta.action_keys.splice(0, meta.action_keys.length - ACTION_KEYS_KEPT);
}
