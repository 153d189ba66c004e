import { z } from 'zod';

/** The shape of one line of `.fleetai/logs/app.jsonl`; readers (replay, `fleet log`) validate against it. */
export const AppLogLine = z.object({
  ts: z.iso.datetime(),
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']),
  category: z.string().min(1),
  event: z.string().min(1),
  context: z.record(z.string(), z.unknown()).optional(),
});
export type AppLogLine = z.infer<typeof AppLogLine>;
