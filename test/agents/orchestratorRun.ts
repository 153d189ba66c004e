import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepare, stopStarted, type AgentSpec } from '../fixtures/agents-env/index.mjs';
import { startFakeModel, type FakeModelServer } from '../fixtures/fake-model/server.mjs';
import { cli, sleep } from './harness';

export interface LogLine {
  ts: string;
  level: string;
  category: string;
  event: string;
  context?: Record<string, unknown>;
}

/**
 * `fleet orchestrator` as a user runs it: a workspace with `.fleetai/orchestrator.json` naming a real Codex pane
 * (against the fake model server), the supervisor as a separate process, and the other `fleet` commands run as
 * separate processes against it. Everything is observed from outside: app.jsonl, `fleet status --json`, the
 * pane transcript, the files the agent writes.
 */
export class OrchestratorRun {
  server!: FakeModelServer;
  spec!: AgentSpec;
  workdir!: string;
  proc!: ChildProcess;
  stderr = '';
  exitCode: number | null | undefined;

  static async start(
    config: Record<string, unknown> = {},
    options: {
      dryRun?: boolean;
      retries?: number;
      paneEnv?: Record<string, string>;
      dropEnv?: string[];
      extraEnv?: Record<string, string>;
      /** Files to write into the workspace (relative path -> text). */
      files?: Record<string, string>;
    } = {},
  ): Promise<OrchestratorRun> {
    const run = new OrchestratorRun();
    run.server = await startFakeModel();
    const root = path.join(process.cwd(), 'test-results/agents-env');
    mkdirSync(root, { recursive: true });
    run.workdir = path.join(root, `orch-ws-${process.pid}-${Date.now()}`);
    run.spec = prepare.codex({
      baseUrl: run.server.url,
      workdir: run.workdir,
      root,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });
    mkdirSync(path.join(run.workdir, '.fleetai'), { recursive: true });
    for (const [file, text] of Object.entries(options.files ?? {})) {
      mkdirSync(path.dirname(path.join(run.workdir, file)), { recursive: true });
      writeFileSync(path.join(run.workdir, file), text);
    }
    // FAKE_URL and CODEX in the config stand for the fake server's URL and the Codex command.
    const configText = (text: string): string =>
      text.replaceAll('FAKE_URL', run.server.url).replaceAll('"CODEX"', JSON.stringify(run.spec.command));
    writeFileSync(
      path.join(run.workdir, '.fleetai/orchestrator.json'),
      configText(
        JSON.stringify(
          {
            tick_seconds: 1,
            heartbeat_seconds: 1,
            session_cooldown_seconds: 0,
            metrics_port: 0,
            // No portal unless a test asks for one: suites running side by side would race for port 8787.
            portal: { port: 0 },
            panes: [{ id: 'codex', agent: 'codex', command: run.spec.command, env: options.paneEnv ?? {} }],
            ...config,
          },
          null,
          2,
        ),
      ),
    );
    const env: Record<string, string> = { ...run.spec.env, ...options.extraEnv };
    for (const name of options.dropEnv ?? []) delete env[name];
    run.proc = spawn(
      process.execPath,
      [cli, 'orchestrator', '-w', run.workdir, ...(options.dryRun ? ['--dry-run'] : [])],
      {
        cwd: run.workdir,
        // Exactly the agent's isolated environment (CI=true would change Codex's behaviour too).
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    run.proc.stderr?.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
    run.proc.stdout?.resume();
    run.proc.on('exit', (code) => (run.exitCode = code));
    await run.waitForLog((l) => l.event === 'control.listening', 'the control socket', 60_000);
    return run;
  }

  /** Runs another `fleet` command against this workspace, as a separate process. */
  fleet(...args: string[]): { code: number; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [cli, ...args, '-w', this.workdir], {
      cwd: this.workdir,
      env: this.spec.env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * The same without blocking this process: needed for commands that wait on the agent (`fleet ask`), since the
   * fake model server answering the agent runs in this process.
   */
  fleetAsync(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [cli, ...args, '-w', this.workdir], {
        cwd: this.workdir,
        env: this.spec.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  fleetJson<T>(...args: string[]): T {
    const r = this.fleet(...args, '--json');
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`fleet ${args.join(' ')} printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    }
  }

  log(): LogLine[] {
    const file = path.join(this.workdir, '.fleetai/logs/app.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogLine);
  }

  transcript(pane = 'codex'): string {
    const file = path.join(this.workdir, `.fleetai/logs/panes/${pane}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  paneStates(pane = 'codex'): string[] {
    return this.log()
      .filter((l) => l.event === 'pane.state' && l.context?.pane === pane)
      .map((l) => String(l.context?.to));
  }

  async waitForLog(
    predicate: (line: LogLine, index: number) => boolean,
    what: string,
    timeoutMs = 60_000,
    after = 0,
  ): Promise<LogLine> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.log().find((l, i) => i >= after && predicate(l, i));
      if (hit) return hit;
      if (Date.now() > end || (this.exitCode !== undefined && this.exitCode !== null)) {
        const tail = this.log()
          .slice(-15)
          .map((l) => `${l.category}/${l.event} ${JSON.stringify(l.context ?? {}).slice(0, 200)}`)
          .join('\n');
        throw new Error(
          `no ${what} within ${timeoutMs} ms (orchestrator exit ${this.exitCode}); states ${this.paneStates().join(' > ')}\nlog tail:\n${tail}\nstderr:\n${this.stderr.slice(-2000)}`,
        );
      }
      await sleep(100);
    }
  }

  /** Waits for the pane to reach `state` after log line `after`, and stay there `quietMs`. */
  async settled(state: string, quietMs = 2000, timeoutMs = 90_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const changes = this.log().filter((l) => l.event === 'pane.state' && l.context?.pane === 'codex');
      const last = changes.at(-1);
      if (last?.context?.to === state && Date.now() - Date.parse(last.ts) >= quietMs) return;
      if (Date.now() > end)
        throw new Error(`codex did not settle in ${state}: ${this.paneStates().join(' > ')}\n${this.stderr}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    if (this.proc && this.exitCode === undefined) {
      this.proc.kill('SIGTERM');
      const end = Date.now() + 15_000;
      while (this.exitCode === undefined && Date.now() < end) await sleep(100);
      if (this.exitCode === undefined) this.proc.kill('SIGKILL');
    }
    if (this.spec) {
      await stopStarted(this.spec);
      this.spec.cleanup();
    }
    await this.server?.close();
  }
}
