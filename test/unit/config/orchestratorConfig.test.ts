import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  controlSocketPath,
  defaultOrchestratorConfig,
  dependencyCycle,
  loadOrchestratorConfig,
  orchestratorConfigSchema,
  parseOrchestratorConfig,
  resolveConfigPath,
} from '../../../extension/core/config/orchestratorConfig';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { caught, repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
const FILE = '/ws/.fleetai/orchestrator.json';

/** The FleetError that parsing `text` raises. */
function failure(text: string): FleetError {
  try {
    parseOrchestratorConfig(FILE, text);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected the config to be refused');
}

/** "line:column" of the `nth` occurrence of `needle` in `text` (1-based, as editors count). */
function at(text: string, needle: string, nth = 1): string {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`"${needle}" not found ${nth} times`);
  }
  const before = text.slice(0, offset);
  return `${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
}

function problems(text: string): string[] {
  return failure(text).details?.problems as string[];
}

describe('defaults', () => {
  it('fills every key the seeds and the brief name', () => {
    const config = defaultOrchestratorConfig();
    expect(config).toEqual({
      stall_timeout_seconds: 120,
      stall_retries_before_notify: 2,
      failure_alert_threshold: 3,
      session_cooldown_seconds: 5,
      dry_run: false,
      tick_seconds: 5,
      heartbeat_seconds: 5,
      metrics_host: '127.0.0.1',
      metrics_port: 9108,
      recovery: {
        rate_limit: { base_seconds: 30, max_seconds: 600, jitter: 0.2 },
        server_error: { base_seconds: 10, max_seconds: 300, max_retries: 5 },
        restart: { max_failures: 3, backoff_min_seconds: 120, backoff_max_seconds: 1800 },
        loop: { window: 6, repeats: 3 },
        continue_unfinished: true,
      },
      approvals: { medium: 'ask', allow: [], deny: [], model_judge: false, expire_minutes: 0 },
      model: { api_key_env: 'OPENAI_API_KEY', timeout_seconds: 60, summary_every_lines: 400 },
      prompts: {},
      agents: {},
      panes: [],
      tasks: [],
      notify: {
        wecom_webhook_env: 'WECOM_WEBHOOK',
        min_level: 'critical',
        wecom_msgtype: 'markdown',
        dedupe_seconds: 300,
        rate_per_minute: 20,
        burst: 5,
        timeout_seconds: 10,
        retry_min_seconds: 5,
        retry_max_seconds: 300,
      },
      portal: {
        port: 8787,
        host: '127.0.0.1',
        token_env: 'FLEETAI_PORTAL_TOKEN',
        allowed_users: [],
        wecom_token_env: 'WECOM_CALLBACK_TOKEN',
        wecom_aes_key_env: 'WECOM_CALLBACK_AES_KEY',
        wecom_corp_id_env: 'WECOM_CORP_ID',
        slack_signing_secret_env: 'SLACK_SIGNING_SECRET',
      },
      review: {},
      control: {},
      backup: { enabled: true, time: '03:30', keep_daily: 7, keep_weekly_logs: 4, dir: '.fleetai/backups' },
    });
  });

  it('an empty file, an empty object and a comment-only file all mean the defaults', () => {
    const defaults = defaultOrchestratorConfig();
    for (const text of ['', '{}', '// nothing yet\n', '/* x */ {\n}\n'])
      expect(parseOrchestratorConfig(FILE, text)).toEqual(defaults);
  });

  it('fills the defaults inside a partly written section and inside list items', () => {
    const config = parseOrchestratorConfig(
      FILE,
      `{
        // seed 003
        "stall_timeout_seconds": 60,
        "recovery": { "rate_limit": { "max_seconds": 900 } },
        "agents": { "codex": { "bin": ". ~/.proxy-on.sh && proxychains4 -q codex",
                               "extra_args": ["--dangerously-bypass-approvals-and-sandbox"] } },
        "panes": [ { "id": "bot", "agent": "codex", "branch": "weather/bot", "worktree": true } ],
        "tasks": [ { "id": "t1", "title": "Bot", "pane": "bot" } ],
      }`,
    );
    expect(config.stall_timeout_seconds).toBe(60);
    expect(config.stall_retries_before_notify).toBe(2);
    expect(config.recovery.rate_limit).toEqual({ base_seconds: 30, max_seconds: 900, jitter: 0.2 });
    expect(config.recovery.server_error.max_retries).toBe(5);
    expect(config.agents.codex).toEqual({
      bin: '. ~/.proxy-on.sh && proxychains4 -q codex',
      extra_args: ['--dangerously-bypass-approvals-and-sandbox'],
      env: {},
    });
    expect(config.panes[0]).toEqual({
      id: 'bot',
      agent: 'codex',
      branch: 'weather/bot',
      worktree: true,
      env: {},
      autostart: true,
    });
    expect(config.tasks[0]).toEqual({ id: 't1', title: 'Bot', pane: 'bot', tags: [], depends_on: [] });
  });
});

describe('E_CONFIG_PARSE', () => {
  it('names file:line:column of broken JSONC', () => {
    const text = '{\n  "dry_run": true,\n  "tick_seconds": 5 5\n}\n';
    const error = failure(text);
    expect(error.code).toBe(ErrorCode.ConfigParse);
    // Only the first error: the parser's follow-on errors would only confuse.
    expect(error.message).toBe(`${FILE}:3:21: comma expected`);
    expect((error.details?.problems as string[]).length).toBeGreaterThan(1);
  });

  it('reports an unclosed object at the end of the text', () => {
    const error = failure('{\n  "dry_run": true');
    expect(error.code).toBe('E_CONFIG_PARSE');
    expect(error.message).toBe(`${FILE}:2:18: close brace expected`);
  });
});

describe('E_CONFIG_SCHEMA', () => {
  it('names the line:column and the field path of a wrong value', () => {
    const text = `{
  "metrics_port": 70000,
  "panes": [
    { "id": "a", "agent": "codex" },
    { "id": "b", "agent": "Codex!" }
  ]
}`;
    const error = failure(text);
    expect(error.code).toBe(ErrorCode.ConfigSchema);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${FILE}:${at(text, '70000')}: metrics_port: `));
    expect(lines[1]).toBe(
      `${FILE}:${at(text, '"Codex!"')}: panes[1].agent: must be 1-32 lowercase letters, digits or dashes, starting with a letter`,
    );
    expect(error.details?.fields).toEqual(['metrics_port', 'panes[1].agent']);
  });

  it('an unknown or misspelt key is an error pointing at the key, not silently ignored', () => {
    const text = `{
  "stall_timeout_secs": 60,
  "recovery": {
    "restart": { "max_failure": 2 }
  }
}`;
    expect(problems(text)).toEqual([
      `${FILE}:${at(text, '"stall_timeout_secs"')}: (root): unknown key "stall_timeout_secs"`,
      `${FILE}:${at(text, '"max_failure"')}: recovery.restart: unknown key "max_failure"`,
    ]);
  });

  it('a missing required field points at the object that lacks it', () => {
    const text = '{ "tasks": [\n  { "id": "x" }\n] }';
    expect(problems(text)).toEqual([
      `${FILE}:${at(text, '{ "id"')}: tasks[0].title: Invalid input: expected string, received undefined`,
    ]);
  });

  it('checks the cross-field rules inside a section', () => {
    const backoff = '{ "recovery": { "rate_limit": { "base_seconds": 60, "max_seconds": 10 } } }';
    expect(problems(backoff)).toEqual([
      `${FILE}:${at(backoff, '10 }')}: recovery.rate_limit.max_seconds: must not be less than base_seconds`,
    ]);
    expect(problems('{ "recovery": { "loop": { "window": 3, "repeats": 4 } } }')[0]).toContain(
      'recovery.loop.repeats: must not be more than window',
    );
    const worktree = '{ "panes": [ { "id": "p", "agent": "codex", "worktree": true } ] }';
    expect(problems(worktree)).toEqual([
      `${FILE}:${at(worktree, '{ "id"')}: panes[0].branch: is required when worktree is true`,
    ]);
    expect(problems('{ "panes": [ { "id": "p", "agent": "codex", "base": "main" } ] }')[0]).toContain(
      'panes[0].base: only applies when worktree is true',
    );
  });

  it('refuses a model URL that is not http(s), an env name that is not one, and an unknown phase', () => {
    expect(problems('{ "model": { "base_url": "ftp://x" } }')[0]).toContain(
      'model.base_url: must be an http:// or https:// URL',
    );
    expect(problems('{ "notify": { "wecom_webhook_env": "WECOM WEBHOOK" } }')[0]).toContain(
      'notify.wecom_webhook_env: must be a valid environment variable name',
    );
    expect(problems('{ "tasks": [ { "id": "t", "title": "T", "phase": "DOING" } ] }')[0]).toMatch(
      /tasks\[0\]\.phase: /,
    );
    expect(problems('{ "approvals": { "medium": "maybe" } }')[0]).toMatch(/approvals\.medium: /);
  });

  it('a root that is not an object is a schema error at 1:1', () => {
    expect(failure('[1, 2]').message).toBe(
      `${FILE}:1:1: (root): Invalid input: expected object, received array`,
    );
  });
});

describe('E_CONFIG_REFERENCE', () => {
  it('refuses duplicate pane and task ids, naming the first', () => {
    const text = `{
  "panes": [ { "id": "a", "agent": "codex" }, { "id": "a", "agent": "claude" } ],
  "tasks": [ { "id": "t", "title": "T" }, { "id": "t", "title": "U" } ]
}`;
    const error = failure(text);
    expect(error.code).toBe(ErrorCode.ConfigReference);
    expect(error.details?.problems).toEqual([
      `${FILE}:${at(text, '"a"', 2)}: panes[1].id: duplicate pane id "a" (first at panes[0])`,
      `${FILE}:${at(text, '"t"', 2)}: tasks[1].id: duplicate task id "t" (first at tasks[0])`,
    ]);
  });

  it('refuses references to tasks and panes that do not exist', () => {
    const text = `{
  "panes": [ { "id": "p", "agent": "codex", "task": "nope" } ],
  "tasks": [ { "id": "t", "title": "T", "pane": "q", "depends_on": ["t0"] } ]
}`;
    const error = failure(text);
    expect(error.code).toBe('E_CONFIG_REFERENCE');
    expect(error.details?.problems).toEqual([
      `${FILE}:${at(text, '"nope"')}: panes[0].task: no task with id "nope"`,
      `${FILE}:${at(text, '"q"')}: tasks[0].pane: no pane with id "q"`,
      `${FILE}:${at(text, '"t0"')}: tasks[0].depends_on[0]: no task with id "t0"`,
    ]);
  });

  it('names a dependency cycle', () => {
    const text = `{
  "tasks": [
    { "id": "a", "title": "A" },
    { "id": "b", "title": "B", "depends_on": ["a", "d"] },
    { "id": "c", "title": "C", "depends_on": ["b"] },
    { "id": "d", "title": "D", "depends_on": ["c"] }
  ]
}`;
    const error = failure(text);
    expect(error.code).toBe(ErrorCode.ConfigReference);
    expect(error.message).toBe(
      `${FILE}:${at(text, '["a", "d"]')}: tasks[1].depends_on: dependency cycle: b -> d -> c -> b`,
    );
  });

  it('a task depending on itself is a cycle of one', () => {
    const text = '{ "tasks": [ { "id": "a", "title": "A", "depends_on": ["a"] } ] }';
    expect(problems(text)).toEqual([
      `${FILE}:${at(text, '["a"]')}: tasks[0].depends_on: dependency cycle: a -> a`,
    ]);
  });

  it('an unknown key and a bad reference together are a schema error that lists both', () => {
    const both = failure(
      '{ "dryrun": true, "tasks": [ { "id": "a", "title": "A", "depends_on": ["zz"] } ] }',
    );
    expect(both.code).toBe(ErrorCode.ConfigSchema);
    expect(both.details?.fields).toEqual(['', 'tasks[0].depends_on[0]']);
    // A value of the wrong type stops zod before the cross-field checks: one layer is fixed at a time.
    const typed = failure('{ "dry_run": 1, "tasks": [ { "id": "a", "title": "A", "depends_on": ["zz"] } ] }');
    expect(typed.code).toBe(ErrorCode.ConfigSchema);
    expect(typed.details?.fields).toEqual(['dry_run']);
  });

  it('the zod schema itself refuses the same references (for callers that parse objects)', () => {
    const result = orchestratorConfigSchema.safeParse({
      tasks: [{ id: 'a', title: 'A', depends_on: ['b'] }],
    });
    expect(result.success).toBe(false);
  });
});

describe('dependencyCycle', () => {
  it('finds none in a diamond and ignores unknown ids', () => {
    const diamond = [
      { id: 'a', depends_on: [] },
      { id: 'b', depends_on: ['a'] },
      { id: 'c', depends_on: ['a', 'ghost'] },
      { id: 'd', depends_on: ['b', 'c'] },
    ];
    expect(dependencyCycle(diamond)).toBeUndefined();
    expect(
      dependencyCycle([...diamond, { id: 'e', depends_on: ['d'] }, { id: 'a2', depends_on: ['e'] }]),
    ).toBe(undefined);
    expect(
      dependencyCycle([
        { id: 'x', depends_on: ['y'] },
        { id: 'y', depends_on: ['x'] },
      ]),
    ).toEqual(['x', 'y', 'x']);
  });
});

describe('loadOrchestratorConfig', () => {
  it('reads .fleetai/orchestrator.json from a workspace', async () => {
    const ws = tempDir();
    const file = workspacePaths(ws).orchestratorConfig;
    expect(file).toBe(path.join(ws, '.fleetai', 'orchestrator.json'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{ "dry_run": true, /* rehearsal */ "metrics_port": 0, }\n');
    const loaded = await loadOrchestratorConfig(file);
    expect(loaded.found).toBe(true);
    expect(loaded.file).toBe(file);
    expect(loaded.config.dry_run).toBe(true);
    expect(loaded.config.metrics_port).toBe(0);
    expect(loaded.config.tick_seconds).toBe(5);
  });

  it('a missing file gives the defaults, found: false', async () => {
    const file = path.join(tempDir(), 'nothing.json');
    await expect(loadOrchestratorConfig(file)).resolves.toEqual({
      config: defaultOrchestratorConfig(),
      file,
      found: false,
    });
  });

  it('errors name the absolute file even when given a relative one', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'o.json'), '{ "tick_seconds": -1 }');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const error = (await caught(() => loadOrchestratorConfig('o.json'))) as FleetError;
      expect(error.code).toBe(ErrorCode.ConfigSchema);
      expect(error.message).toMatch(new RegExp(`^${path.join(dir, 'o.json')}:1:19: tick_seconds: `));
    } finally {
      process.chdir(cwd);
    }
  });

  it('a file that cannot be read is E_CONFIG_PARSE naming it', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'orchestrator.json');
    mkdirSync(folder);
    const error = (await caught(() => loadOrchestratorConfig(folder))) as FleetError;
    expect(error.code).toBe(ErrorCode.ConfigParse);
    expect(error.message).toMatch(new RegExp(`^${folder}: could not read \\(EISDIR`));
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.json');
      writeFileSync(locked, '{}');
      chmodSync(locked, 0);
      expect(((await caught(() => loadOrchestratorConfig(locked))) as FleetError).code).toBe(
        'E_CONFIG_PARSE',
      );
    }
  });
});

describe('paths from the config', () => {
  it('resolves prompt files relative to the config file, and the control socket in the state folder', () => {
    const paths = workspacePaths('/ws');
    expect(resolveConfigPath(paths.orchestratorConfig, 'prompts/plan.md')).toBe(
      '/ws/.fleetai/prompts/plan.md',
    );
    expect(resolveConfigPath(paths.orchestratorConfig, '/abs/plan.md')).toBe('/abs/plan.md');
    const defaults = defaultOrchestratorConfig();
    expect(controlSocketPath(defaults, paths.orchestratorConfig, paths.stateDir)).toBe(
      '/ws/.fleetai/state/control.sock',
    );
    const custom = { ...defaults, control: { socket: '../run/fleet.sock' } };
    expect(controlSocketPath(custom, paths.orchestratorConfig, paths.stateDir)).toBe('/ws/run/fleet.sock');
  });
});

describe('config/orchestrator.example.jsonc', () => {
  const file = path.join(repoRoot, 'config', 'orchestrator.example.jsonc');
  const text = readFileSync(file, 'utf8');

  it('validates, with panes, tasks, agents and a dependency', async () => {
    const { config } = await loadOrchestratorConfig(file);
    expect(config.panes.map((p) => p.id)).toEqual(['api', 'docs']);
    expect(config.tasks.map((t) => t.id)).toEqual(['api', 'api-docs']);
    expect(config.tasks[1]?.depends_on).toEqual(['api']);
    expect(config.agents.codex?.bin).toBe('codex');
  });

  it('shows the true default for every number, switch and name it sets', () => {
    const example = parseOrchestratorConfig(file, text);
    const defaults = defaultOrchestratorConfig();
    const examplesOnly = ['approvals', 'model', 'agents', 'panes', 'tasks'] as const;
    for (const key of Object.keys(defaults) as (keyof typeof defaults)[]) {
      if ((examplesOnly as readonly string[]).includes(key)) continue;
      expect(example[key], key).toEqual(defaults[key]);
    }
    expect({ ...example.approvals, allow: [], deny: [] }).toEqual(defaults.approvals);
    const { base_url: _u, model: _m, ...modelRest } = example.model;
    expect(modelRest).toEqual(defaults.model);
  });

  it("every section heading and the seeds' key settings carry a Chinese gloss in parentheses", () => {
    const gloss = /\([^)]*[\u4e00-\u9fff][^)]*\)/;
    const headings = text.split('\n').filter((l) => l.trimStart().startsWith('// ---'));
    expect(headings.length).toBeGreaterThanOrEqual(8);
    for (const heading of headings) expect(heading).toMatch(gloss);
    for (const key of [
      'stall_timeout_seconds',
      'stall_retries_before_notify',
      'failure_alert_threshold',
      'dry_run',
    ]) {
      const index = text.indexOf(`\n  "${key}":`);
      const comment = text.slice(text.lastIndexOf('//', index), index);
      expect(comment, key).toMatch(gloss);
    }
  });
});
