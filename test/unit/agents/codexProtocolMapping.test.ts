import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CommandApprovalParams,
  InitializeResult,
  LoadedListResult,
  ThreadResult,
} from '../../../extension/core/agents/codex/appServerProtocol';
import {
  classifyCodexError,
  commandOptions,
  displayCommand,
  mapApprovalRequest,
  mapNotification,
  protocolDecision,
  unwrapShell,
} from '../../../extension/core/agents/codex/protocolMapping';
import type { Candidate } from '../../../extension/core/panes/stateTracker';
import { repoRoot } from '../helpers';

// Messages recorded from the real Codex 0.169.0 daemon while its TUI worked against the fake model server
// (rerun: node test/tools/record-codex-protocol.mjs). Each is replayed the way the attachment sees it: status
// changes of every thread reach it, turn and item events and approval requests only once thread/resume succeeded.

const FIXTURES = path.join(repoRoot, 'test/fixtures/codex-protocol');

interface Recorded {
  dir: 'in' | 'out';
  response?: string;
  msg: { id?: string | number; method?: string; params?: unknown; result?: unknown; error?: unknown };
}

function load(name: string): Recorded[] {
  return (JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as { messages: Recorded[] })
    .messages;
}

/** What the pane would be told, in order: `state (reason)`, activity counted apart. */
function replay(name: string): { candidates: Candidate[]; progress: number; threadId: string } {
  const messages = load(name);
  const resume = messages.find((m) => m.dir === 'out' && m.msg.method === 'thread/resume');
  const threadId = (resume?.msg.params as { threadId: string }).threadId;
  let subscribed = false;
  let progress = 0;
  const candidates: Candidate[] = [];
  for (const { dir, response, msg } of messages) {
    if (dir === 'out') continue;
    if (response === 'thread/resume' && msg.result) subscribed = true;
    if (msg.method === undefined) continue;
    if (msg.id !== undefined) {
      const approval = mapApprovalRequest({ id: msg.id, method: msg.method, params: msg.params });
      if (approval?.threadId === threadId) candidates.push(approval.candidate);
      continue;
    }
    if ((msg.params as { threadId?: string } | undefined)?.threadId !== threadId) continue;
    const mapped = mapNotification({ method: msg.method, params: msg.params }, { subscribed });
    if (mapped?.kind === 'report') candidates.push(mapped.candidate);
    else if (mapped?.kind === 'progress') progress++;
  }
  return { candidates, progress, threadId };
}

const summary = (candidates: Candidate[]): string[] => candidates.map((c) => `${c.name} (${c.reason})`);

describe('recorded Codex app-server messages -> pane states', () => {
  it('a plain turn: active (before FleetAI can subscribe), then turn/completed', () => {
    const { candidates, progress } = replay('plain');
    expect(summary(candidates)).toEqual([
      'working (app-server thread/status/changed (active))',
      'awaiting_input (app-server turn/completed (completed))',
    ]);
    // Items and streamed deltas only keep the pane from being called stalled.
    expect(progress).toBeGreaterThan(5);
    expect(candidates[1]?.evidence[0]).toMatch(
      /^\{"method":"turn\/completed","turnId":"[\w-]+","status":"completed"\}$/,
    );
  });

  it('an approval accepted through the protocol', () => {
    const { candidates } = replay('approval-accept');
    expect(summary(candidates)).toEqual([
      'working (app-server thread/status/changed (active))',
      'awaiting_approval (app-server thread/status/changed (waitingOnApproval))',
      'awaiting_approval (app-server item/commandExecution/requestApproval)',
      'working (app-server serverRequest/resolved)',
      'awaiting_input (app-server turn/completed (completed))',
    ]);
    const request = candidates[2];
    expect(request?.approval).toEqual({
      kind: 'command',
      source: 'protocol',
      channelId: '0',
      command: 'touch approved.txt',
      reason: 'Create the file you asked for.',
      options: [
        { keys: 'y', label: 'Yes, proceed' },
        { keys: 'p', label: "Yes, and don't ask again for commands that start with `touch approved.txt`" },
        { keys: '\u001b', label: 'No, and tell Codex what to do differently' },
      ],
    });
    expect(JSON.parse(request?.evidence[0] ?? '{}')).toEqual({
      method: 'item/commandExecution/requestApproval',
      id: 0,
      command: 'touch approved.txt',
      reason: 'Create the file you asked for.',
    });
  });

  it('declined, session-approved and key-answered approvals end the same way; cancel interrupts the turn', () => {
    for (const name of ['approval-decline', 'approval-session', 'approval-keys']) {
      expect(summary(replay(name).candidates).slice(-3), name).toEqual([
        'awaiting_approval (app-server item/commandExecution/requestApproval)',
        'working (app-server serverRequest/resolved)',
        'awaiting_input (app-server turn/completed (completed))',
      ]);
    }
    expect(summary(replay('approval-cancel').candidates).slice(-2)).toEqual([
      'working (app-server serverRequest/resolved)',
      'awaiting_input (app-server turn/completed (interrupted))',
    ]);
  });

  it('subscribed since an earlier turn: turn/started names the start, the status change adds nothing', () => {
    expect(summary(replay('approval-second-turn').candidates)).toEqual([
      'working (app-server thread/status/changed (active))',
      'awaiting_input (app-server turn/completed (completed))',
      'working (app-server turn/started)',
      'awaiting_approval (app-server thread/status/changed (waitingOnApproval))',
      'awaiting_approval (app-server item/commandExecution/requestApproval)',
      'working (app-server serverRequest/resolved)',
      'awaiting_input (app-server turn/completed (completed))',
    ]);
  });

  it('HTTP 500: a retried stream error, then internalServerError and a failed turn, class server', () => {
    const errors = replay('http500').candidates.filter((c) => c.name === 'error');
    expect(errors.map((c) => [c.reason, c.error])).toEqual([
      [
        'app-server error (Codex retries)',
        { class: 'network', retrying: true, message: 'Reconnecting... 1/1' },
      ],
      [
        'app-server error',
        {
          class: 'server',
          retrying: false,
          message: 'We’re currently experiencing high demand, which may cause temporary errors.',
        },
      ],
      [
        'app-server turn/completed (failed)',
        {
          class: 'server',
          retrying: false,
          message: 'We’re currently experiencing high demand, which may cause temporary errors.',
        },
      ],
    ]);
  });

  it('HTTP 429: retried, then responseTooManyFailedAttempts{429}: class rate_limit throughout', () => {
    const errors = replay('http429').candidates.filter((c) => c.name === 'error');
    expect(errors.map((c) => c.error)).toEqual([
      { class: 'rate_limit', retrying: true, message: 'Reconnecting... 1/1' },
      {
        class: 'rate_limit',
        retrying: false,
        message: 'exceeded retry limit, last status: 429 Too Many Requests',
      },
      {
        class: 'rate_limit',
        retrying: false,
        message: 'exceeded retry limit, last status: 429 Too Many Requests',
      },
    ]);
  });

  it('every recorded answer FleetAI relies on fits its schema', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    let checked = 0;
    for (const file of files) {
      for (const { response, msg } of load(file.replace(/\.json$/, ''))) {
        if (msg.error) continue;
        const schema =
          response === 'initialize'
            ? InitializeResult
            : response === 'thread/loaded/list'
              ? LoadedListResult
              : response === 'thread/read' || response === 'thread/resume'
                ? ThreadResult
                : msg.method === 'item/commandExecution/requestApproval'
                  ? CommandApprovalParams
                  : undefined;
        if (!schema) continue;
        const value = msg.method ? msg.params : msg.result;
        expect(schema.safeParse(value).success, `${file}: ${response ?? msg.method}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('the TUI thread in the recordings is told apart from its ephemeral title thread', () => {
    const messages = load('plain');
    const read = messages.find((m) => m.response === 'thread/read');
    const thread = ThreadResult.parse(read?.msg.result).thread;
    expect(thread).toMatchObject({ cwd: '<workdir>', ephemeral: false, parentThreadId: null });
    const started = messages.find((m) => m.msg.method === 'thread/started');
    const title = ThreadResult.parse(started?.msg.params).thread;
    expect(title.ephemeral).toBe(true);
  });
});

describe('mapping details', () => {
  it('decisions as the app-server takes them', () => {
    expect(protocolDecision('approve')).toBe('accept');
    expect(protocolDecision('approve_for_session')).toBe('acceptForSession');
    expect(protocolDecision('deny')).toBe('decline');
    expect(protocolDecision('cancel')).toBe('cancel');
  });

  it('codexErrorInfo -> error class: HTTP status first, then the variant', () => {
    expect(classifyCodexError('internalServerError')).toBe('server');
    expect(classifyCodexError('serverOverloaded')).toBe('server');
    expect(classifyCodexError('usageLimitExceeded')).toBe('rate_limit');
    expect(classifyCodexError('unauthorized')).toBe('auth');
    expect(classifyCodexError('contextWindowExceeded')).toBe('unknown');
    expect(classifyCodexError({ responseTooManyFailedAttempts: { httpStatusCode: 429 } })).toBe('rate_limit');
    expect(classifyCodexError({ responseTooManyFailedAttempts: { httpStatusCode: 503 } })).toBe('server');
    expect(classifyCodexError({ httpConnectionFailed: { httpStatusCode: 401 } })).toBe('auth');
    expect(classifyCodexError({ httpConnectionFailed: { httpStatusCode: null } })).toBe('network');
    expect(classifyCodexError({ activeTurnNotSteerable: { turnKind: 'review' } })).toBe('unknown');
    expect(classifyCodexError(null)).toBe('unknown');
  });

  it('the command as the TUI shows it', () => {
    expect(unwrapShell("/bin/bash -lc 'touch approved.txt'")).toBe('touch approved.txt');
    expect(unwrapShell("bash -lc 'echo '\\''hi'\\'''")).toBe("echo 'hi'");
    expect(unwrapShell('sh -c "echo \\"x\\""')).toBe('echo "x"');
    expect(unwrapShell('zsh -lc ls')).toBe('ls');
    expect(unwrapShell('git status')).toBeUndefined();
    expect(displayCommand({ command: 'git status', commandActions: [] })).toBe('git status');
    expect(displayCommand({ command: null, commandActions: [{ command: 'ls' }, { command: 'wc -l' }] })).toBe(
      'ls && wc -l',
    );
  });

  it("options follow availableDecisions with the TUI's keys; without them, Codex's usual three", () => {
    expect(commandOptions(['accept', 'decline', 'cancel']).map((o) => o.keys)).toEqual(['y', 'd', '\u001b']);
    expect(
      commandOptions([
        'accept',
        { applyNetworkPolicyAmendment: { network_policy_amendment: { action: 'allow', host: 'x' } } },
      ]).map((o) => o.label),
    ).toEqual(['Yes, proceed', 'Yes, and allow this host in the future']);
    expect(commandOptions(undefined).map((o) => o.keys)).toEqual(['y', 'a', '\u001b']);
  });

  it('file-change requests are edits; other server requests are left to the TUI', () => {
    const edit = mapApprovalRequest({
      id: 7,
      method: 'item/fileChange/requestApproval',
      params: { threadId: 't', turnId: 'u', itemId: 'i', startedAtMs: 1, reason: 'write outside' },
    });
    expect(edit?.candidate.approval).toMatchObject({
      kind: 'edit',
      source: 'protocol',
      channelId: '7',
      reason: 'write outside',
    });
    expect(edit?.candidate.approval.options.map((o) => o.keys)).toEqual(['y', 'a', '\u001b']);
    expect(
      mapApprovalRequest({ id: 8, method: 'item/tool/requestUserInput', params: { threadId: 't' } }),
    ).toBeUndefined();
    // A request that does not fit the schema is not guessed at.
    expect(
      mapApprovalRequest({ id: 9, method: 'item/commandExecution/requestApproval', params: { threadId: 1 } }),
    ).toBeUndefined();
  });

  it('statuses before subscription: idle waits for input, waitingOnUserInput too, systemError is an error', () => {
    const status = (s: unknown) =>
      mapNotification(
        { method: 'thread/status/changed', params: { threadId: 't', status: s } },
        { subscribed: false },
      );
    expect(status({ type: 'idle' })).toMatchObject({ candidate: { name: 'awaiting_input' } });
    expect(status({ type: 'active', activeFlags: ['waitingOnUserInput'] })).toMatchObject({
      candidate: { name: 'awaiting_input' },
    });
    expect(status({ type: 'systemError' })).toMatchObject({ candidate: { name: 'error' } });
    expect(
      mapNotification(
        { method: 'thread/status/changed', params: { threadId: 't', status: { type: 'idle' } } },
        { subscribed: true },
      ),
    ).toBeUndefined();
  });
});
