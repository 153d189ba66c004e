import { z } from 'zod';

/**
 * The wire format between the extension host and its webviews. Every message is one of three envelopes; what a
 * method or event carries is declared in `messages.ts`.
 */
export const ErrorPayload = z.object({ code: z.string().min(1), message: z.string() });
export type ErrorPayload = z.infer<typeof ErrorPayload>;

export const RequestEnvelope = z.object({
  kind: z.literal('request'),
  id: z.string().min(1),
  method: z.string().min(1),
  params: z.unknown(),
});

export const ResponseEnvelope = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('response'), id: z.string().min(1), ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal('response'), id: z.string().min(1), ok: z.literal(false), error: ErrorPayload }),
]);

export const EventEnvelope = z.object({
  kind: z.literal('event'),
  name: z.string().min(1),
  payload: z.unknown(),
});

export const Envelope = z.union([RequestEnvelope, ResponseEnvelope, EventEnvelope]);
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;
export type ResponseEnvelope = z.infer<typeof ResponseEnvelope>;
export type EventEnvelope = z.infer<typeof EventEnvelope>;
export type Envelope = z.infer<typeof Envelope>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };
