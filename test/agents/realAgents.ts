import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { prepare, stopStarted, type AgentSpec } from '../fixtures/agents-env/index.mjs';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';
import { WatchRun } from './harness';

/**
 * One real agent CLI (from node_modules/.bin) under `fleet watch`, talking to its own fake model server. On CI
 * a missing CLI is a failure (npm ci installs all three), never a skip.
 */
export class RealAgent {
  server!: FakeModelServer;
  spec!: AgentSpec;
  run!: WatchRun;
  workdir!: string;

  static async start(
    agent: 'codex' | 'claude' | 'gemini',
    options: { stallTimeout?: number; retries?: number; hooks?: boolean } = {},
  ): Promise<RealAgent> {
    const a = new RealAgent();
    a.server = await startFakeModel();
    const root = path.join(process.cwd(), 'test-results/agents-env');
    mkdirSync(root, { recursive: true });
    a.workdir = path.join(root, `${agent}-ws-${process.pid}-${Date.now()}`);
    a.spec = prepare[agent]({
      baseUrl: a.server.url,
      workdir: a.workdir,
      root,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });
    if (!existsSync(a.spec.command)) throw new Error(`${a.spec.command} is missing: run npm ci`);
    a.run = new WatchRun([a.spec.command, ...a.spec.args], {
      cwd: a.workdir,
      // Exactly the agent's isolated environment: Gemini CLI, for one, turns non-interactive when it sees CI=true.
      env: a.spec.env,
      replaceEnv: true,
      ...(options.stallTimeout ? { stallTimeout: options.stallTimeout } : {}),
      ...(options.hooks === false ? { hooks: false } : {}),
    });
    return a;
  }

  /**
   * Waits until the agent reports `state` and stays there for `quietMs`: at its first start Codex shows its
   * composer, then works a moment longer (the title spinner) while its session starts, and ignores Enter then.
   */
  async settled(state: string, quietMs = 2000, timeoutMs = 90_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const events = this.run.events();
      const last = events.at(-1);
      if (last?.state === state && Date.now() - Date.parse(last.ts) >= quietMs) return;
      if (Date.now() > end) {
        throw new Error(
          `${this.spec.agent} did not settle in ${state}: ${JSON.stringify(events.slice(-3))}\n${this.run.screen()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    this.run?.dispose();
    if (this.spec) {
      await stopStarted(this.spec);
      this.spec.cleanup();
    }
    await this.server?.close();
  }
}
