import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProfiles } from '../../../extension/core/agents/profiles';
import { toRuntimeProfile } from '../../../extension/core/agents/runtimeProfile';
import { DEFAULT_TIMING, StateTracker } from '../../../extension/core/panes/stateTracker';
import type { ErrorClass, PaneStateName, ScreenSnapshot } from '../../../extension/core/panes/types';
import type { AgentProfile } from '../../../extension/core/schemas/agentProfile';
import { repoRoot } from '../helpers';
import { fakeClock } from './fakeClock';

// Screens recorded from the real CLIs (Codex 0.169.0, Claude Code 2.1.329, Gemini CLI 0.61.0) talking to the
// fake model server (test/tools/record-screens.mjs). Each is run through the real tracker with the shipped
// profile: the state FleetAI would report for that screen.
const screensDir = path.join(repoRoot, 'test/fixtures/screens');

interface Expected {
  state: PaneStateName;
  error?: { class: ErrorClass; retrying: boolean };
  command?: string;
  /** How many numbered options the approval prompt offers. */
  options?: number;
}

const expected: Record<string, Record<string, Expected>> = {
  codex: {
    startup: { state: 'awaiting_input' },
    plain: { state: 'awaiting_input' },
    slow: { state: 'working' },
    'slow-streaming': { state: 'working' },
    'slow-done': { state: 'awaiting_input' },
    approval: { state: 'awaiting_approval', command: 'touch approved.txt', options: 3 },
    'approval-approved': { state: 'awaiting_input' },
    stall: { state: 'working' },
    'stall-later': { state: 'error', error: { class: 'network', retrying: true } },
    'stall-final': { state: 'error', error: { class: 'network', retrying: false } },
    // While Codex retries, the reason is on the detail line under "Reconnecting... 1/2".
    http500: { state: 'error', error: { class: 'server', retrying: true } },
    'http500-final': { state: 'error', error: { class: 'server', retrying: false } },
    http429: { state: 'error', error: { class: 'rate_limit', retrying: true } },
    'http429-final': { state: 'error', error: { class: 'rate_limit', retrying: false } },
  },
  claude: {
    startup: { state: 'awaiting_input' },
    plain: { state: 'awaiting_input' },
    slow: { state: 'working' },
    'slow-streaming': { state: 'working' },
    'slow-done': { state: 'awaiting_input' },
    approval: { state: 'awaiting_approval' },
    'approval-approved': { state: 'awaiting_input' },
    // A silent stream: Claude shows its spinner for about 45 s (one screen says working; FleetAI calls it
    // stalled from time without progress), then its own notice that it will retry.
    stall: { state: 'working' },
    'stall-later': { state: 'error', error: { class: 'network', retrying: true } },
    // "API error · retrying in 1s · attempt 1/2" does not name the status: retrying, class unknown.
    http500: { state: 'error', error: { class: 'unknown', retrying: true } },
    'http500-final': { state: 'error', error: { class: 'server', retrying: false } },
    http429: { state: 'error', error: { class: 'unknown', retrying: true } },
    'http429-final': { state: 'error', error: { class: 'rate_limit', retrying: false } },
  },
  // Gemini CLI retries a 500 or 429 silently in its interactive screen (236 requests in 20 minutes, still
  // "Thinking..."): one screen says working; FleetAI calls it stalled from time without progress.
  gemini: {
    startup: { state: 'awaiting_input' },
    trust: { state: 'awaiting_approval' },
    plain: { state: 'awaiting_input' },
    slow: { state: 'working' },
    'slow-streaming': { state: 'working' },
    'slow-done': { state: 'awaiting_input' },
    approval: { state: 'awaiting_approval', options: 3 },
    'approval-approved': { state: 'awaiting_input' },
    stall: { state: 'working' },
    'stall-later': { state: 'working' },
    http500: { state: 'working' },
    'http500-final': { state: 'working' },
    http429: { state: 'working' },
    'http429-final': { state: 'working' },
  },
};

function readScreen(file: string): ScreenSnapshot {
  const text = readFileSync(file, 'utf8');
  const [titleLine, separator, ...lines] = text.replace(/\n$/, '').split('\n');
  expect(titleLine?.startsWith('title: ')).toBe(true);
  expect(separator).toBe('---');
  let cursorRow = lines.length - 1;
  while (cursorRow > 0 && (lines[cursorRow] ?? '').trim() === '') cursorRow--;
  return { lines, cursorRow, title: (titleLine ?? '').slice('title: '.length) };
}

let profiles: Map<string, AgentProfile>;
beforeAll(async () => {
  const loaded = await loadProfiles({ builtinDir: path.join(repoRoot, 'agents-config') });
  expect(loaded.problems).toEqual([]);
  profiles = loaded.profiles;
});

describe.each(Object.keys(expected))('recorded %s screens', (agent) => {
  it('has an expectation for every recorded screen and a screen for every expectation', () => {
    const files = readdirSync(path.join(screensDir, agent)).filter((f) => f.endsWith('.txt'));
    expect(files.map((f) => f.replace(/\.txt$/, '')).sort()).toEqual(
      Object.keys(expected[agent] ?? {}).sort(),
    );
  });

  it.each(Object.entries(expected[agent] ?? {}))('%s', (name, want) => {
    const profile = profiles.get(agent);
    expect(profile, `no ${agent} profile`).toBeDefined();
    const runtime = toRuntimeProfile(
      profile as AgentProfile,
      profile?.kind === 'codex' ? '0.169.0' : undefined,
    );
    const c = fakeClock();
    const tracker = new StateTracker(
      { id: name, agent },
      runtime.rules,
      { ...DEFAULT_TIMING, ...runtime.timing },
      c,
    );
    tracker.observe(readScreen(path.join(screensDir, agent, `${name}.txt`)));
    c.advance(10_000); // past any idle debounce, well before a stall
    const state = tracker.state;
    expect(state.name, `${state.reason}: ${state.evidence.join(' | ')}`).toBe(want.state);
    if (want.error)
      expect(state.error && { class: state.error.class, retrying: state.error.retrying }).toEqual(want.error);
    if (want.command) expect(state.approval?.command).toBe(want.command);
    if (want.options) expect(state.approval?.options).toHaveLength(want.options);
    expect(state.evidence.length).toBeGreaterThan(0);
  });
});
