// Types for notifyEndpoints.mjs, so the TypeScript tests use the fakes with checks.
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The JSON as the service received it (undefined when not JSON). */
  body: unknown;
}

export interface FakeEndpoint {
  received: RecordedRequest[];
  hang: boolean;
  port: number;
  readonly base: string;
  url(): string;
  start(): Promise<FakeEndpoint>;
  stop(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
}

export function startFakeWecom(options?: {
  key?: string;
  perMinute?: number;
  now?: () => number;
}): Promise<FakeEndpoint & { key: string }>;
export function startFakeSlack(options?: { path?: string }): Promise<FakeEndpoint>;
export function startFakeWebhook(options?: {
  status?: number;
}): Promise<FakeEndpoint & { status: number; lastAny?: RecordedRequest }>;
