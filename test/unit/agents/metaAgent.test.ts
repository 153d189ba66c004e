import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createProfileModel,
  generateProfile,
  MAX_PROFILE_ATTEMPTS,
  type ProfileModel,
} from '../../../extension/core/agents/metaAgent';
import { unifiedDiff } from '../../../extension/core/text/unifiedDiff';
import { resolveModelSettings } from '../../../extension/core/decisions';
import { ErrorCode, FleetError } from '../../../extension/core/errors';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { AgentProfile } from '../../../extension/core/schemas/agentProfile';
import { startFakeModel, type FakeModelServer } from '../../fixtures/fake-model/server.mjs';
import { caught, useTempDirs } from '../helpers';

// The Meta Agent against the fake model server over real HTTP, through the real @openai/agents and openai client.
const tempDir = useTempDirs();
let server: FakeModelServer;

beforeEach(async () => {
  server = await startFakeModel({ keepBodies: true });
});
afterEach(async () => {
  await server.close();
});

async function model(api: 'responses' | 'chat_completions' = 'responses'): Promise<ProfileModel> {
  const settings = await resolveModelSettings({
    settings: { baseUrl: `${server.url}/v1`, model: 'fake-meta', apiKey: 'k', timeoutSeconds: 20, api },
    env: {},
  });
  return createProfileModel(settings!, { log: createMemoryLog() });
}

const profileRequests = () => server.requests.filter((r) => r.fleetai === 'profile');

/** The JSON input the Meta Agent sent in a recorded request (Responses API: a user message). */
function inputOf(index: number): { description: string; problems?: string[]; existing_kinds: string[] } {
  const body = profileRequests()[index]?.body as { input: { role: string; content: string }[] | string };
  const text = Array.isArray(body.input) ? body.input.map((m) => m.content).join('') : body.input;
  return JSON.parse(text) as ReturnType<typeof inputOf>;
}

describe('generateProfile', () => {
  it('returns a valid profile the first time, with a diff against /dev/null', async () => {
    const workspaceDir = path.join(tempDir(), '.fleetai', 'agents');
    const generated = await generateProfile('Mybot, a terminal coding agent that asks "Allow? [y/n]"', {
      model: await model(),
      existingKinds: ['codex', 'shell'],
      workspaceDir,
    });
    expect(AgentProfile.safeParse(generated.profile).success).toBe(true);
    expect(generated).toMatchObject({ attempts: 1, rounds: [], model: 'fake-meta', existed: false });
    expect(generated.profile.kind).toBe('mybot');
    expect(generated.file).toBe(path.join(workspaceDir, 'mybot.json'));
    expect(generated.diff.split('\n').slice(0, 3)).toEqual([
      '--- /dev/null',
      '+++ b/mybot.json',
      `@@ -0,0 +1,${generated.text.trimEnd().split('\n').length} @@`,
    ]);
    expect(profileRequests()).toHaveLength(1);
    expect(inputOf(0).existing_kinds).toEqual(['codex', 'shell']);
    // Nothing is written by the generator itself.
    expect(existsSync(workspaceDir)).toBe(false);
  });

  it('works over Chat Completions too, and uses the kind asked for', async () => {
    const generated = await generateProfile('a helper for docs', {
      model: await model('chat_completions'),
      existingKinds: [],
      kind: 'docbot',
      workspaceDir: tempDir(),
    });
    expect(generated.profile.kind).toBe('docbot');
  });

  it('retries with the validation errors in the request, then returns the valid profile', async () => {
    const generated = await generateProfile('Mybot fleetai-fake:invalid', {
      model: await model(),
      existingKinds: [],
      workspaceDir: tempDir(),
    });
    expect(generated.attempts).toBe(2);
    expect(generated.rounds).toHaveLength(1);
    expect(generated.rounds[0]?.problems.join('\n')).toContain('patterns[0].rules[0].state');
    expect(profileRequests()).toHaveLength(2);
    expect(inputOf(0).problems).toBeUndefined();
    const second = inputOf(1);
    expect(second.problems?.join('\n')).toContain('patterns[0].rules[0].state');
    expect(second).toHaveProperty('previous_profile.kind', 'mybot');
    expect(generated.profile.patterns[0]?.rules[0]?.state).toBe('awaiting_input');
  });

  it('gives up after the attempts with E_MODEL_BAD_OUTPUT naming the field; nothing written', async () => {
    const workspaceDir = path.join(tempDir(), 'agents');
    const error = await caught(async () =>
      generateProfile('Mybot fleetai-fake:invalid_always', {
        model: await model(),
        existingKinds: [],
        workspaceDir,
      }),
    );
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe(ErrorCode.ModelBadOutput);
    expect((error as FleetError).message).toContain('patterns[0].rules[0].state');
    expect(profileRequests()).toHaveLength(MAX_PROFILE_ATTEMPTS);
    expect(existsSync(workspaceDir)).toBe(false);
  });

  it('an endpoint error ends it at once', async () => {
    const error = await caught(async () =>
      generateProfile('Mybot fleetai-fake:http500', {
        model: await model(),
        existingKinds: [],
        workspaceDir: tempDir(),
      }),
    );
    expect((error as FleetError).code).toBe(ErrorCode.ModelHttp);
    expect(profileRequests().length).toBeGreaterThanOrEqual(1);
  });

  it('diffs against the file already there', async () => {
    const workspaceDir = tempDir();
    const first = await generateProfile('Mybot', { model: await model(), existingKinds: [], workspaceDir });
    mkdirSync(workspaceDir, { recursive: true });
    writeFileSync(first.file, first.text.replace('"Please continue."', '"Go on."'));
    const again = await generateProfile('Mybot', {
      model: await model(),
      existingKinds: [],
      kind: 'mybot',
      workspaceDir,
    });
    expect(again.existed).toBe(true);
    expect(again.diff).toContain('--- a/mybot.json');
    expect(again.diff).toContain('-    "text": "Go on."');
    expect(again.diff).toContain('+    "text": "Please continue."');
    expect(readdirSync(workspaceDir)).toEqual(['mybot.json']);
  });
});

describe('unifiedDiff', () => {
  it('is empty for the same text and gives hunks with context otherwise', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { old: 'x', new: 'y' })).toBe('');
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const changed = [...lines];
    changed[9] = 'LINE 10';
    expect(unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, { old: 'a/f', new: 'b/f' })).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -7,7 +7,7 @@',
        ' line 7',
        ' line 8',
        ' line 9',
        '-line 10',
        '+LINE 10',
        ' line 11',
        ' line 12',
        ' line 13',
        '',
      ].join('\n'),
    );
  });
});
