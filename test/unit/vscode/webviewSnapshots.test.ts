import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../extension/core/approvals';
import { newPaneMeta, type PaneMeta } from '../../../extension/core/supervisor/paneMetadata';
import { ApprovalsSnapshot, DashboardSnapshot } from '../../../extension/protocol/messages';
import {
  DASHBOARD_EVENTS,
  EventRing,
  approvalsSnapshot,
  dashboardSnapshot,
  mcpStateEvents,
  type McpRowLike,
  type PaneLike,
} from '../../../extension/vscode/webviewSnapshots';

const supervisor = { mode: 'window', heartbeat: 'running', dryRun: false } as const;

function pane(id: string, state: PaneLike['state']['name'], branch?: string): PaneLike {
  return {
    id,
    name: `codex (${id})`,
    kind: 'codex',
    branch,
    state: { name: state, reason: `because ${id}`, since: '2026-11-21T10:00:00.000Z' },
  };
}

function meta(paneId: string, over: Partial<PaneMeta> = {}): PaneMeta {
  return { ...newPaneMeta({ id: paneId, agent: 'codex' }, '2026-11-21T10:00:00.000Z'), ...over };
}

function request(id: string, paneId: string, over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id,
    pane: paneId,
    agent: 'codex',
    kind: 'command',
    command: 'rm -rf build',
    risk: 'high',
    reasons: ['deletes files'],
    source: 'agent',
    requestedAt: '2026-11-21T10:01:00.000Z',
    ...over,
  };
}

describe('dashboard snapshot', () => {
  it('joins each pane with the supervisor metadata, its task and its pending approvals, and fits the protocol', () => {
    const snapshot = dashboardSnapshot({
      panes: [pane('p1', 'awaiting_approval', 'feature/a'), pane('p2', 'stalled')],
      meta: (id) =>
        id === 'p1'
          ? meta('p1', {
              blockers: [
                {
                  kind: 'approval',
                  reason: 'waits on a human',
                  retries: 0,
                  since: '2026-11-21T10:01:00.000Z',
                },
              ],
              next_actions: ['approve rm -rf build'],
              queued_commands: [
                {
                  id: 'c1',
                  pane: 'p1',
                  text: 'npm test',
                  kind: 'prompt',
                  risk: 'low',
                  requires_confirmation: false,
                  source: 'task',
                  queued_at: '2026-11-21T10:02:00.000Z',
                  approval_id: 'a1',
                },
              ],
              last_command_result: {
                command_id: 'c0',
                text: 'ls',
                result: 'success',
                detail: 'ok',
                ts: '2026-11-21T10:00:30.000Z',
              },
              recent_actions: [{ ts: '2026-11-21T10:03:00.000Z', action: 'nudge', detail: 'continue' }],
              failure_streak: 2,
              task: 'api',
            })
          : undefined,
      tasks: [
        {
          id: 'api',
          title: 'API',
          owner: 'alice',
          depends_on: [],
          status: { phase: 'EXECUTING', pane: 'p1', updated_at: 'x' },
        },
        { id: 'docs', title: 'Docs', depends_on: ['api'], status: { phase: 'PLANNING', updated_at: 'x' } },
      ],
      pending: [request('a1', 'p1'), request('a2', 'p1')],
      supervisor,
      events: [
        { at: '2026-11-21T10:04:00.000Z', pane: 'p2', kind: 'state.stalled', text: 'working → stalled' },
      ],
      now: new Date('2026-11-21T10:05:00.000Z'),
    });
    expect(DashboardSnapshot.safeParse(snapshot).success).toBe(true);
    const [p1, p2] = snapshot.panes;
    expect(p1).toMatchObject({
      id: 'p1',
      branch: 'feature/a',
      state: 'awaiting_approval',
      phase: 'EXECUTING',
      taskId: 'api',
      owner: 'alice',
      nextActions: ['approve rm -rf build'],
      failureStreak: 2,
      pendingApprovals: 2,
      lastResult: { text: 'ls', result: 'success' },
    });
    expect(p1?.queued[0]).toMatchObject({ id: 'c1', approvalId: 'a1', risk: 'low' });
    expect(p1?.blockers[0]?.kind).toBe('approval');
    expect(p2).toMatchObject({ id: 'p2', state: 'stalled', pendingApprovals: 0, blockers: [] });
    expect(p2?.phase).toBeUndefined();
    // A task waits while a dependency is not DONE; one with a pane runs.
    expect(snapshot.tasks.map((t) => [t.id, t.status, t.dependsOn])).toEqual([
      ['api', 'running', []],
      ['docs', 'waiting', ['api']],
    ]);
    // The host's events and the supervisor's actions, newest first.
    expect(snapshot.events.map((e) => e.kind)).toEqual(['state.stalled', 'nudge']);
    expect(snapshot.pendingApprovals).toBe(2);
  });

  it("shows a pane's task phase (PLANNING while its task waits), BLOCKED over it", () => {
    const snapshot = dashboardSnapshot({
      panes: [pane('docs', 'awaiting_input'), pane('api', 'error')],
      meta: (id) => meta(id, { phase: id === 'api' ? 'BLOCKED' : 'EXECUTING' }),
      tasks: [
        {
          id: 'write',
          title: 'Docs',
          pane: 'docs',
          depends_on: ['build'],
          status: { phase: 'PLANNING', updated_at: 'x' },
        },
        {
          id: 'build',
          title: 'API',
          depends_on: [],
          status: { phase: 'EXECUTING', pane: 'api', updated_at: 'x' },
        },
      ],
      pending: [],
      supervisor,
      events: [],
    });
    expect(snapshot.panes.map((p) => [p.id, p.phase, p.taskId])).toEqual([
      ['docs', 'PLANNING', 'write'],
      ['api', 'BLOCKED', 'build'],
    ]);
  });

  it('bounds the events it sends', () => {
    const ring = new EventRing();
    for (let i = 0; i < DASHBOARD_EVENTS + 30; i++)
      ring.add({ at: new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString(), kind: 'k', text: String(i) });
    const snapshot = dashboardSnapshot({
      panes: [],
      meta: () => undefined,
      tasks: [],
      pending: [],
      supervisor,
      events: ring.list(),
    });
    expect(snapshot.events).toHaveLength(DASHBOARD_EVENTS);
    expect(snapshot.events[0]?.text).toBe(String(DASHBOARD_EVENTS + 29));
  });
});

describe('approvals snapshot', () => {
  it('names the pane, keeps the order and the end of a long excerpt, and fits the protocol', () => {
    const excerpt = `${'x'.repeat(5000)}\nAllow rm -rf build? [y/n]`;
    const snapshot = approvalsSnapshot({
      panes: [pane('p1', 'awaiting_approval')],
      pending: [
        request('a1', 'p1', { transcriptExcerpt: excerpt }),
        request('a2', 'p9', { kind: 'edit', command: undefined }),
      ],
      supervisor,
    });
    expect(ApprovalsSnapshot.safeParse(snapshot).success).toBe(true);
    expect(snapshot.pending.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(snapshot.pending[0]?.paneName).toBe('codex (p1)');
    expect(snapshot.pending[1]?.paneName).toBeUndefined();
    expect(snapshot.pending[0]?.transcriptExcerpt?.length).toBe(4000);
    expect(snapshot.pending[0]?.transcriptExcerpt?.endsWith('Allow rm -rf build? [y/n]')).toBe(true);
  });
});

describe('MCP servers in the dashboard snapshot', () => {
  const base = {
    panes: [],
    meta: () => undefined,
    tasks: [],
    pending: [],
    supervisor,
    events: [],
    now: new Date('2026-11-21T10:05:00.000Z'),
  };

  it('has each server with state, transport, tools, last error, next retry and a broken entry with its problem', () => {
    const retryAt = Date.parse('2026-11-21T10:05:07.000Z');
    const snapshot = dashboardSnapshot({
      ...base,
      mcp: {
        servers: [
          {
            alias: 'everything',
            state: 'connected',
            transport: 'stdio',
            tools: [{}, {}, {}],
            sessionDisabled: false,
          },
          {
            alias: 'remote',
            state: 'reconnecting',
            transport: 'http',
            lastError: 'fetch failed: ECONNREFUSED',
            nextAttemptAt: retryAt,
            sessionDisabled: false,
          },
          { alias: 'off', state: 'disabled', transport: 'sse', sessionDisabled: true },
          {
            alias: 'typo',
            state: 'broken',
            problem: { message: '.fleetai/mcp.servers.json: servers.typo.url: not a URL' },
            sessionDisabled: false,
          },
        ],
        fileProblems: [{ message: 'config/mcp.servers.json: not JSON' }],
      },
    });
    // What the webview receives passes the protocol's own schema.
    expect(DashboardSnapshot.parse(snapshot).mcp).toEqual(snapshot.mcp);
    expect(snapshot.mcp).toEqual({
      servers: [
        { alias: 'everything', state: 'connected', transport: 'stdio', tools: 3, sessionDisabled: false },
        {
          alias: 'remote',
          state: 'reconnecting',
          transport: 'http',
          tools: 0,
          lastError: 'fetch failed: ECONNREFUSED',
          nextRetryAt: '2026-11-21T10:05:07.000Z',
          sessionDisabled: false,
        },
        { alias: 'off', state: 'disabled', transport: 'sse', tools: 0, sessionDisabled: true },
        {
          alias: 'typo',
          state: 'broken',
          tools: 0,
          problem: '.fleetai/mcp.servers.json: servers.typo.url: not a URL',
          sessionDisabled: false,
        },
      ],
      fileProblems: ['config/mcp.servers.json: not JSON'],
    });
  });

  it('drops tools and the retry time that do not belong to the state, and an unknown transport', () => {
    const snapshot = dashboardSnapshot({
      ...base,
      mcp: {
        servers: [
          {
            alias: 'a',
            state: 'disconnected',
            transport: 'carrier-pigeon',
            tools: [{}],
            nextAttemptAt: Date.parse('2026-11-21T10:06:00.000Z'),
            sessionDisabled: false,
          },
        ],
        fileProblems: [],
      },
    });
    expect(snapshot.mcp.servers).toEqual([
      { alias: 'a', state: 'disconnected', tools: 0, sessionDisabled: false },
    ]);
  });

  it('is empty without a bridge, and an older snapshot without it still parses', () => {
    expect(dashboardSnapshot(base).mcp).toEqual({ servers: [], fileProblems: [] });
    const { mcp: _mcp, ...older } = dashboardSnapshot(base);
    expect(DashboardSnapshot.parse(older).mcp).toEqual({ servers: [], fileProblems: [] });
  });

  it('refuses a state the protocol does not know', () => {
    const snapshot = dashboardSnapshot(base);
    const bad = {
      ...snapshot,
      mcp: {
        servers: [{ alias: 'x', state: 'sleeping', tools: 0, sessionDisabled: false }],
        fileProblems: [],
      },
    };
    expect(DashboardSnapshot.safeParse(bad).success).toBe(false);
  });
});

describe('mcpStateEvents (bridge.state-change in the recent events)', () => {
  const at = '2026-11-21T10:05:00.000Z';
  const rows = (...servers: [string, McpRowLike['state'], string?][]) => ({
    servers: servers.map(([alias, state, lastError]) => ({
      alias,
      state,
      sessionDisabled: false,
      ...(lastError ? { lastError } : {}),
    })),
    fileProblems: [],
  });

  it('adds one line per server whose state moved, with the error while down, and nothing for a tick', () => {
    const seen = new Map<string, string>();
    expect(mcpStateEvents(seen, rows(['a', 'connected'], ['b', 'connecting']), at)).toEqual([]);
    expect(
      mcpStateEvents(seen, rows(['a', 'reconnecting', 'process exited'], ['b', 'connecting']), at),
    ).toEqual([{ at, kind: 'bridge.state-change', text: 'MCP a: connected → reconnecting: process exited' }]);
    // The countdown's once-a-second change: same states, no line.
    expect(
      mcpStateEvents(seen, rows(['a', 'reconnecting', 'process exited'], ['b', 'connecting']), at),
    ).toEqual([]);
    expect(mcpStateEvents(seen, rows(['a', 'connected', 'process exited'], ['b', 'connected']), at)).toEqual([
      { at, kind: 'bridge.state-change', text: 'MCP a: reconnecting → connected' },
      { at, kind: 'bridge.state-change', text: 'MCP b: connecting → connected' },
    ]);
  });

  it('forgets a server that went away (a reload), so it starts afresh', () => {
    const seen = new Map<string, string>();
    mcpStateEvents(seen, rows(['a', 'connected']), at);
    expect(mcpStateEvents(seen, rows(), at)).toEqual([]);
    expect(seen.size).toBe(0);
    expect(mcpStateEvents(seen, rows(['a', 'connecting']), at)).toEqual([]);
  });
});
