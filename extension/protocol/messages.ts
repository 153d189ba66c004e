import { z } from 'zod';

/**
 * Every message between the host and the webviews, declared once. Requests flow webview -> host and answer
 * `{ok:true,value}` or `{ok:false,error}`; events flow host -> webview and always carry a whole snapshot, never a
 * delta that could drift.
 */
export const HostInfo = z.object({
  name: z.literal('FleetAI'),
  version: z.string(),
  /** The editor's own version (`vscode.version`), or the CLI's host description. */
  hostVersion: z.string(),
  uiLanguage: z.string(),
  workspace: z.string().nullable(),
});
export type HostInfo = z.infer<typeof HostInfo>;

export const FleetSnapshot = z.object({
  heartbeat: z.enum(['idle', 'running', 'stale']),
  panes: z.number().int().nonnegative(),
  pendingApprovals: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime(),
});
export type FleetSnapshot = z.infer<typeof FleetSnapshot>;

export const requests = {
  'host.getInfo': { params: z.object({}), result: HostInfo },
  'fleet.getSnapshot': { params: z.object({}), result: FleetSnapshot },
  'host.openLog': { params: z.object({}), result: z.object({ opened: z.boolean() }) },
} as const;

export const events = {
  'fleet.snapshot': FleetSnapshot,
} as const;

export type RequestMap = typeof requests;
export type RequestMethod = keyof RequestMap;
export type RequestParams<M extends RequestMethod> = z.input<RequestMap[M]['params']>;
export type RequestResult<M extends RequestMethod> = z.output<RequestMap[M]['result']>;

export type EventMap = typeof events;
export type EventName = keyof EventMap;
export type EventPayload<N extends EventName> = z.output<EventMap[N]>;
