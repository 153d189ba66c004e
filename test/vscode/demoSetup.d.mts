// Types for demoSetup.mjs, so the TypeScript e2e test starts the demo with checks.
import type { AgentSpec } from '../fixtures/agents-env/index.mjs';
import type { FakeModelServer } from '../fixtures/fake-model/server.mjs';
import type { RunningCodeServer } from './codeServer.mjs';

export const DEFAULT_DEMO_HOME: string;
export const DEFAULT_VSIX: string;
/** The demo config's stall timeout: how long `refactor` stays stuck before FleetAI nudges it. */
export const STALL_TIMEOUT_SECONDS: number;

export interface DemoOptions {
  /** Where the workspace copy (HOME/workspace), Codex's home and the model log go; default ~/.cache/fleetai-demo. */
  home?: string;
  /** Where Codex's home is made instead of HOME/agents (which is emptied first; this folder is not). */
  codexRoot?: string;
  /** Port to listen on when nothing answers there yet; a free one otherwise or when unset. */
  port?: number;
  /** The packaged FleetAI; default dist/fleetai.vsix. */
  vsix?: string;
  /** Default STALL_TIMEOUT_SECONDS. */
  stallTimeoutSeconds?: number;
  /** Names the code-server sandbox folder under the system's temp folder; default `demo`. */
  label?: string;
}

export interface RunningDemo {
  /** The workbench address that opens the workspace. */
  url: string;
  home: string;
  workspace: string;
  /** The workspace's .fleetai/orchestrator.json. */
  configFile: string;
  /** The workspace's FleetAI application log (.fleetai/logs/app.jsonl), audit trail included. */
  appLog: string;
  vsix: string;
  model: FakeModelServer;
  modelLog: string;
  codex: AgentSpec;
  server: RunningCodeServer;
  stallTimeoutSeconds: number;
  /** Ends code-server, every process carrying Codex's marker (the panes, Codex's daemon) and the model. */
  stop(): Promise<void>;
}

export function startDemo(options?: DemoOptions): Promise<RunningDemo>;
export function checkDemo(demo: RunningDemo): Promise<[string, string][]>;
