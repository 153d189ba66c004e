import type { z } from 'zod';
import { formatIssues } from '../core/schemas/issues';
import { Envelope, type ErrorPayload, type Result } from './envelope';
import {
  events,
  requests,
  type EventName,
  type EventPayload,
  type RequestMethod,
  type RequestParams,
  type RequestResult,
} from './messages';
import type { Transport } from './transport';

/** Protocol error codes; kept here (not in core) so the webview bundle does not pull in Node code. */
export const ProtocolErrorCode = {
  BadMessage: 'E_PROTOCOL_BAD_MESSAGE',
  BadParams: 'E_PROTOCOL_BAD_PARAMS',
  BadResult: 'E_PROTOCOL_BAD_RESULT',
  UnknownMethod: 'E_PROTOCOL_UNKNOWN_METHOD',
  Timeout: 'E_PROTOCOL_TIMEOUT',
  Closed: 'E_PROTOCOL_CLOSED',
  Handler: 'E_PROTOCOL_HANDLER',
} as const;

export type RequestHandlers = {
  [M in RequestMethod]?: (
    params: z.output<(typeof requests)[M]['params']>,
  ) => Promise<RequestResult<M>> | RequestResult<M>;
};

export interface EndpointOptions {
  /** Default time a request waits for its answer. */
  timeoutMs?: number;
  /** Called for every message that does not fit the protocol, so a host can log the peer's mistake. */
  onProtocolError?: (error: ErrorPayload, raw: unknown) => void;
  /** Makes request ids unique across reloads of a webview. */
  idPrefix?: string;
}

/** Errors that a handler throws with a `code` keep it, so the caller can tell a failure's kind apart. */
function toErrorPayload(error: unknown): ErrorPayload {
  // An empty code would fail the envelope's own check at the caller, which would then wait for its timeout.
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code !== '') {
    return { code: error.code, message: error.message };
  }
  return { code: ProtocolErrorCode.Handler, message: error instanceof Error ? error.message : String(error) };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return formatIssues(issues).join('; ');
}

/**
 * One side of the conversation. Both the host and each webview hold one; what each side answers is given by
 * its handlers, and every incoming message is validated before anything acts on it (webview content is
 * untrusted input to the host, and vice versa).
 */
export class Endpoint {
  private readonly pending = new Map<
    string,
    { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout>; method: string }
  >();
  private readonly eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly subscription: { dispose(): void };
  private counter = 0;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly handlers: RequestHandlers = {},
    private readonly options: EndpointOptions = {},
  ) {
    this.subscription = transport.onMessage((raw) => this.receive(raw));
  }

  /** Sends a request and resolves with its result; never rejects, so callers must look at `ok`. */
  request<M extends RequestMethod>(
    method: M,
    params: RequestParams<M>,
    options: { timeoutMs?: number } = {},
  ): Promise<Result<RequestResult<M>>> {
    if (this.closed) {
      return Promise.resolve({
        ok: false,
        error: { code: ProtocolErrorCode.Closed, message: 'The connection is closed.' },
      });
    }
    const id = `${this.options.idPrefix ?? 'r'}-${++this.counter}`;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: {
            code: ProtocolErrorCode.Timeout,
            message: `${method} got no answer within ${timeoutMs} ms.`,
          },
        });
      }, timeoutMs);
      this.pending.set(id, {
        method,
        timer,
        resolve: (result) => {
          if (!result.ok) return resolve(result);
          const checked = requests[method].result.safeParse(result.value);
          resolve(
            checked.success
              ? { ok: true, value: checked.data as RequestResult<M> }
              : {
                  ok: false,
                  error: {
                    code: ProtocolErrorCode.BadResult,
                    message: `${method} answered a malformed result: ${describeIssues(checked.error.issues)}`,
                  },
                },
          );
        },
      });
      this.transport.send({ kind: 'request', id, method, params });
    });
  }

  /** Sends an event; the payload is validated here too, so a host bug cannot ship a malformed snapshot. */
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    if (this.closed) return;
    const checked = events[name].safeParse(payload);
    if (!checked.success)
      throw new Error(`Event ${name} is malformed: ${describeIssues(checked.error.issues)}`);
    this.transport.send({ kind: 'event', name, payload: checked.data });
  }

  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): { dispose(): void } {
    let set = this.eventListeners.get(name);
    if (!set) this.eventListeners.set(name, (set = new Set()));
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return { dispose: () => set.delete(wrapped) };
  }

  /** Stops listening and answers every outstanding request with E_PROTOCOL_CLOSED. */
  dispose(): void {
    this.closed = true;
    this.subscription.dispose();
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve({
        ok: false,
        error: {
          code: ProtocolErrorCode.Closed,
          message: `${entry.method} was cancelled: the connection closed.`,
        },
      });
      this.pending.delete(id);
    }
  }

  private protocolError(code: string, message: string, raw: unknown): void {
    this.options.onProtocolError?.({ code, message }, raw);
  }

  private receive(raw: unknown): void {
    if (this.closed) return;
    const parsed = Envelope.safeParse(raw);
    if (!parsed.success) {
      this.protocolError(
        ProtocolErrorCode.BadMessage,
        `Malformed message: ${describeIssues(parsed.error.issues)}`,
        raw,
      );
      return;
    }
    const message = parsed.data;
    switch (message.kind) {
      case 'response': {
        const entry = this.pending.get(message.id);
        if (!entry) {
          this.protocolError(
            ProtocolErrorCode.BadMessage,
            `Response to unknown or expired request ${message.id}`,
            raw,
          );
          return;
        }
        clearTimeout(entry.timer);
        this.pending.delete(message.id);
        entry.resolve(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error });
        return;
      }
      case 'event': {
        // Own keys only: a peer's `constructor` or `toString` must not reach Object.prototype.
        const schema = Object.hasOwn(events, message.name)
          ? (events as Record<string, z.ZodType>)[message.name]
          : undefined;
        if (!schema) {
          this.protocolError(ProtocolErrorCode.BadMessage, `Unknown event ${message.name}`, raw);
          return;
        }
        const checked = schema.safeParse(message.payload);
        if (!checked.success) {
          this.protocolError(
            ProtocolErrorCode.BadMessage,
            `Event ${message.name} is malformed: ${describeIssues(checked.error.issues)}`,
            raw,
          );
          return;
        }
        for (const listener of this.eventListeners.get(message.name) ?? []) listener(checked.data);
        return;
      }
      case 'request':
        void this.answer(message.id, message.method, message.params);
        return;
    }
  }

  private async answer(id: string, method: string, params: unknown): Promise<void> {
    const reply = (result: Result<unknown>): void => {
      if (!this.closed) this.transport.send({ kind: 'response', id, ...result });
    };
    // Own keys only, as for events: `toString` is not a method of the protocol.
    const spec = Object.hasOwn(requests, method)
      ? (requests as Record<string, { params: z.ZodType; result: z.ZodType }>)[method]
      : undefined;
    const handler = Object.hasOwn(this.handlers, method)
      ? (this.handlers as Record<string, ((p: unknown) => unknown) | undefined>)[method]
      : undefined;
    if (!spec || !handler) {
      reply({
        ok: false,
        error: { code: ProtocolErrorCode.UnknownMethod, message: `No handler for ${method}.` },
      });
      return;
    }
    const checked = spec.params.safeParse(params);
    if (!checked.success) {
      reply({
        ok: false,
        error: {
          code: ProtocolErrorCode.BadParams,
          message: `${method}: ${describeIssues(checked.error.issues)}`,
        },
      });
      return;
    }
    try {
      reply({ ok: true, value: await handler(checked.data) });
    } catch (error) {
      reply({ ok: false, error: toErrorPayload(error) });
    }
  }
}
