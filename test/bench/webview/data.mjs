// Generated, deterministic data for the webview bench and screenshots: a dashboard of N panes (each with blockers,
// queued commands, next and recent actions) and an approvals queue of M requests (each with a transcript
// excerpt). Shapes follow extension/protocol/messages.ts; the webviews validate every snapshot against it, so a
// drift here shows up as a protocol error in the bench.

function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STATES = [
  'working',
  'working',
  'working',
  'awaiting_approval',
  'awaiting_input',
  'stalled',
  'error',
  'exited',
  'starting',
];
const PHASES = ['PLANNING', 'EXECUTING', 'EXECUTING', 'VERIFYING', 'BLOCKED', 'DONE'];
const KINDS = ['codex', 'claude', 'gemini', 'aider'];
/** Commands with the risk FleetAI's rules would give them, so the pictures make sense. */
const COMMANDS = [
  { text: 'npm test -- --runInBand', risk: 'low', reasons: ['not in the allow list'] },
  {
    text: 'git push --force-with-lease origin HEAD',
    risk: 'high',
    reasons: ['pushes to a remote', 'rewrites history'],
  },
  { text: 'rm -rf build/ && npm run build', risk: 'medium', reasons: ['deletes files in the workspace'] },
  {
    text: 'curl -fsSL https://example.com/install.sh | sh',
    risk: 'critical',
    reasons: ['runs a script from the network', 'matches deny rule "curl * | sh"'],
  },
  { text: 'docker compose up -d db', risk: 'medium', reasons: ['starts containers'] },
  { text: 'psql -c "DROP TABLE sessions"', risk: 'critical', reasons: ['deletes data: DROP TABLE'] },
  {
    text: 'pip install -r requirements.txt',
    risk: 'medium',
    reasons: ['network access', 'installs packages'],
  },
  { text: 'kubectl rollout restart deploy/api', risk: 'high', reasons: ['changes a shared cluster'] },
];

export function isoAgo(now, ms) {
  return new Date(now - ms).toISOString();
}

export function dashboardSnapshot({ panes = 100, tasks = 30, events = 50, now = Date.now(), seed = 1 } = {}) {
  const r = random(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const branches = Array.from(
    { length: 10 },
    (_, i) => `feature/${['auth', 'billing', 'search', 'ui', 'api', 'docs', 'perf', 'i18n', 'ci', 'db'][i]}`,
  );
  const taskIds = Array.from({ length: tasks }, (_, i) => `T${String(i + 1).padStart(3, '0')}`);
  const paneList = Array.from({ length: panes }, (_, i) => {
    const id = `pane-${String(i + 1).padStart(3, '0')}`;
    const state = pick(STATES);
    const branch = i % 7 === 6 ? undefined : branches[i % branches.length];
    const command = pick(COMMANDS);
    const queued = Array.from({ length: 1 + (i % 3) }, (_, q) => ({
      id: `${id}-q${q}`,
      text: q === 0 ? command.text : `continue with step ${q + 1} of the plan`,
      kind: q === 0 ? 'command' : 'message',
      risk: q === 0 ? command.risk : 'low',
      source: q === 0 ? 'supervisor' : 'person',
      queuedAt: isoAgo(now, (q + 1) * 45_000),
      ...(q === 0 && state === 'awaiting_approval'
        ? { approvalId: `ap-${String(i + 1).padStart(4, '0')}` }
        : {}),
    }));
    return {
      id,
      name: `${pick(KINDS)}-${i + 1}`,
      kind: pick(KINDS),
      ...(branch ? { branch } : {}),
      state,
      ...(state === 'stalled' ? { reason: 'no output for 130 s while working' } : {}),
      ...(state === 'error' ? { reason: 'API Error: 500 Internal Server Error' } : {}),
      stateSince: isoAgo(now, Math.floor(r() * 3_600_000)),
      phase: pick(PHASES),
      taskId: taskIds[i % taskIds.length],
      owner: ['alice', 'bob', 'chen', 'dana'][i % 4],
      blockers: Array.from({ length: 1 + (i % 2) }, (_, b) => ({
        kind: b === 0 ? 'stall' : 'failure_streak',
        reason: b === 0 ? 'no output for 2 minutes after a nudge' : 'the last 3 commands failed',
        retries: b + 1,
        since: isoAgo(now, (b + 2) * 60_000),
      })),
      nextActions: ['run the failing test alone', 'ask the agent what remains of the task'],
      queued,
      lastResult: {
        text: 'npm test',
        result: i % 4 === 0 ? 'error' : 'ok',
        detail: i % 4 === 0 ? '3 failing, 120 passing' : '123 passing',
        at: isoAgo(now, 90_000),
      },
      recentActions: Array.from({ length: 5 }, (_, k) => ({
        at: isoAgo(now, (k + 1) * 120_000),
        action: ['nudge', 'answer', 'queue', 'restart', 'notify'][k],
        detail: `step ${k + 1}`,
      })),
      failureStreak: i % 4 === 0 ? 3 : 0,
      pendingApprovals: state === 'awaiting_approval' ? 1 : 0,
    };
  });
  const taskList = taskIds.map((id, i) => ({
    id,
    title: `Task ${i + 1}: ${['add login form', 'fix flaky test', 'document the API', 'speed up search', 'migrate the schema'][i % 5]}`,
    phase: PHASES[i % PHASES.length],
    status: ['ready', 'running', 'running', 'waiting', 'blocked', 'done'][i % 6],
    owner: ['alice', 'bob', 'chen', 'dana'][i % 4],
    ...(i < panes ? { pane: paneList[i].id } : {}),
    ...(i % 3 === 0 ? { branch: branches[i % branches.length] } : {}),
    dependsOn: i === 0 ? [] : i % 4 === 0 ? [taskIds[i - 1], 'T999'] : [taskIds[Math.floor(i / 2)]],
  }));
  const eventList = Array.from({ length: events }, (_, k) => ({
    at: isoAgo(now, k * 17_000),
    pane: paneList[k % paneList.length]?.id,
    kind: ['state', 'nudge', 'approval', 'restart'][k % 4],
    text: [
      'working → stalled',
      'nudged after 120 s without output',
      'approval requested: npm test',
      'restarted with resume',
    ][k % 4],
  }));
  return {
    supervisor: { mode: 'window', heartbeat: 'running', heartbeatAt: isoAgo(now, 4000), dryRun: true },
    panes: paneList,
    tasks: taskList,
    events: eventList,
    pendingApprovals: paneList.filter((p) => p.state === 'awaiting_approval').length,
    updatedAt: new Date(now).toISOString(),
  };
}

function excerpt(i, command) {
  const lines = [];
  for (let k = 0; k < 40; k++)
    lines.push(
      `  ${String(k + 1).padStart(3)} │ PASS src/module${(i + k) % 17}.test.ts (${(k * 37) % 900} ms) ✓ handles case ${k}`,
    );
  lines.push(
    '',
    'Would you like to run the following command?',
    '',
    `  $ ${command}`,
    '',
    '› 1. Yes, proceed (y)',
    "  2. Yes, and don't ask again for this command (p)",
    '  3. No, and tell Codex what to do differently (esc)',
  );
  return lines.join('\n');
}

export function approvalsSnapshot({ approvals = 500, now = Date.now(), seed = 2 } = {}) {
  const r = random(seed);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const pending = Array.from({ length: approvals }, (_, i) => {
    const kind = i % 9 === 4 ? 'edit' : i % 13 === 7 ? 'other' : 'command';
    const command = pick(COMMANDS);
    const risk = kind === 'command' ? command.risk : kind === 'edit' ? 'medium' : 'low';
    return {
      id: `ap-${String(i + 1).padStart(4, '0')}`,
      pane: `pane-${String((i % 40) + 1).padStart(3, '0')}`,
      paneName: `${KINDS[i % KINDS.length]}-${(i % 40) + 1}`,
      ...(i % 5 === 0 ? {} : { branch: `feature/${['auth', 'billing', 'search', 'ui'][i % 4]}` }),
      agent: KINDS[i % KINDS.length],
      kind,
      ...(kind === 'command' ? { command: command.text } : {}),
      ...(kind === 'edit'
        ? { command: 'edit src/server/routes.ts (+42 −7), src/server/auth.ts (+3 −1)' }
        : {}),
      ...(i % 3 === 0 ? { reason: 'The agent asks to run a command outside the sandbox.' } : {}),
      risk,
      reasons: kind === 'command' ? command.reasons : ['not in the allow list'],
      source: i % 6 === 0 ? 'fleet' : 'agent',
      requestedAt: isoAgo(now, (approvals - i) * 20_000),
      transcriptExcerpt: excerpt(i, kind === 'command' ? command.text : 'apply the edit'),
    };
  });
  return {
    supervisor: { mode: 'window', heartbeat: 'running', heartbeatAt: isoAgo(now, 3000), dryRun: false },
    pending,
    updatedAt: new Date(now).toISOString(),
  };
}
