import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BridgeClock } from '../../../extension/core/mcp/mcpBridge';
import { repoRoot } from '../helpers';

/** The real reference server (@modelcontextprotocol/server-everything), a devDependency: no mock. */
export const EVERYTHING = path.join(
  repoRoot,
  'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);

export function everythingStdio(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: process.execPath, args: [EVERYTHING, 'stdio'], ...extra };
}

/** Writes `<workspace>/.fleetai/mcp.servers.json`. */
export function writeWorkspaceServers(workspace: string, servers: Record<string, unknown>): string {
  const file = path.join(workspace, '.fleetai', 'mcp.servers.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ servers }, null, 2));
  return file;
}

/** A clock the test moves by hand: reconnect delays are recorded and fire only on `advance`. */
export class ManualClock implements BridgeClock {
  private time = 1_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  readonly delays: number[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.delays.push(ms);
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at > this.time) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
}

/** Resolves when `check` holds, polling every 10 ms; fails after `ms`. */
export async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
