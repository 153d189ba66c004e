import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../helpers';

/** Payloads recorded from the real CLIs by test/tools/record-hook-payloads.mjs. */
const dir = path.join(repoRoot, 'test/fixtures/hook-payloads');

export interface RecordedClaudeEvent {
  event: string;
  afterMs: number;
  payload: Record<string, unknown>;
}

export interface RecordedCodexNotify {
  afterMs: number;
  argv: string[];
  payload: Record<string, unknown>;
}

export function claudeScenario(name: string): RecordedClaudeEvent[] {
  return JSON.parse(
    readFileSync(path.join(dir, 'claude-2.1.329', `${name}.json`), 'utf8'),
  ) as RecordedClaudeEvent[];
}

export function codexScenario(name: string): { daemon: boolean; notifications: RecordedCodexNotify[] } {
  return JSON.parse(readFileSync(path.join(dir, 'codex-0.169.0', `${name}.json`), 'utf8')) as {
    daemon: boolean;
    notifications: RecordedCodexNotify[];
  };
}

export const CLAUDE_SCENARIOS = ['startup', 'plain', 'approval-accept', 'approval-deny', 'idle', 'exit'];
export const CODEX_SCENARIOS = ['slow-first-turn', 'approval-accept'];
