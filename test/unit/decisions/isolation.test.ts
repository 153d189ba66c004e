import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModel } from '../../fixtures/fake-model/server.mjs';

// Each check runs in a child Node process on a bundle of extension/core/decisions, built the way
// extension/build/bundle.mjs builds the host: a fresh module cache shows what loads when, and the child runs
// without vitest's NODE_ENV=test (under which @openai/agents switches its tracing off by itself).
const outDir = path.resolve('test-results', `decisions-isolation-${process.pid}`);
const bundle = path.join(outDir, 'decisions.cjs');
const loads = path.join(outDir, 'loads.txt');
const prompts = path.resolve('config/prompts');

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.resolve('extension/core/decisions/index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: bundle,
    // Left outside the bundle so the child's module loader shows when they load.
    external: ['@openai/agents', 'openai', 'pino'],
    logLevel: 'silent',
  });
  // The bundle's import() of an external goes through Node's ESM loader: a resolve hook sees each module.
  writeFileSync(
    path.join(outDir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/node_modules\\/(@openai\\/agents|openai)\\//.test(result.url)) appendFileSync(${JSON.stringify(loads)}, result.url + '\\n');
  return result;
}
`,
  );
  writeFileSync(
    path.join(outDir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Runs `body` (CommonJS, with `d` = the decisions bundle and `log` a silent logger) in a child; its JSON line. */
async function child<T>(name: string, body: string, env: Record<string, string> = {}): Promise<T> {
  writeFileSync(loads, '');
  const file = path.join(outDir, `${name}.cjs`);
  writeFileSync(
    file,
    `const { readFileSync } = require('node:fs');
const loaded = () =>
  Object.keys(require.cache).filter((k) => /node_modules[\\\\/](@openai[\\\\/]agents|openai)[\\\\/]/.test(k)).length +
  readFileSync(${JSON.stringify(loads)}, 'utf8').split('\\n').filter(Boolean).length;
const d = require(${JSON.stringify(bundle)});
const log = { info() {}, warn() {}, error() {}, debug() {}, log() {}, flush: async () => {}, close: async () => {} };
(async () => {
${body}
})().catch((e) => { console.error(e); process.exit(1); });
`,
  );
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.NODE_ENV;
  delete childEnv.VITEST;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', './register.mjs', file], {
    cwd: outDir,
    env: childEnv,
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}

describe('what the decider loads and where it connects', () => {
  it('loads @openai/agents and openai on the first call, not when the module is imported', async () => {
    const out = await child<{ before: number; afterCreate: number; after: number; code: string }>(
      'lazy',
      `
  const before = loaded();
  const templates = await d.loadPromptTemplates({ builtinDir: ${JSON.stringify(prompts)} });
  const settings = await d.resolveModelSettings({ settings: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }, env: {} });
  const decider = d.createModelDecider(settings, { log, templates });
  const afterCreate = loaded();
  const result = await decider.judgeRisk({ command: 'ls', baseline: 'low' }, { timeoutMs: 5000 });
  console.log(JSON.stringify({ before, afterCreate, after: loaded(), code: result.ok ? 'ok' : result.error.code }));
`,
    );
    expect(out.before).toBe(0);
    expect(out.afterCreate).toBe(0);
    expect(out.after).toBeGreaterThanOrEqual(2);
    // Port 9 (discard) has nobody listening here.
    expect(out.code).toBe('E_MODEL_UNREACHABLE');
  }, 60_000);

  it('talks to the configured endpoint only: no trace export to api.openai.com, even with OPENAI_API_KEY set', async () => {
    // Imported as is, @openai/agents posts traces (inputs included) to api.openai.com/v1/traces/ingest every 5 s
    // whenever OPENAI_API_KEY is set, as it is for most Codex users.
    const server = await startFakeModel();
    try {
      const out = await child<{ origins: string[]; sockets: string[]; ok: boolean[] }>(
        'hosts',
        `
  const dc = require('node:diagnostics_channel');
  const origins = [];
  const sockets = [];
  dc.subscribe('undici:request:create', (m) => origins.push(String(m.request.origin)));
  dc.subscribe('net.client.socket', ({ socket }) => {
    socket.once('lookup', (_e, _a, _f, host) => sockets.push('lookup ' + host));
    socket.once('connect', () => sockets.push(socket.remoteAddress + ':' + socket.remotePort));
  });
  const templates = await d.loadPromptTemplates({ builtinDir: ${JSON.stringify(prompts)} });
  const settings = await d.resolveModelSettings({
    settings: { baseUrl: ${JSON.stringify(`${server.url}/v1`)}, model: 'fake-model', apiKey: 'sk-endpoint' },
    env: {},
  });
  const decider = d.createModelDecider(settings, { log, templates });
  const ok = [];
  for (let i = 0; i < 3; i++) ok.push((await decider.summarize(['$ npm test', 'ok'], '')).ok);
  // The SDK's batch trace processor exports every 5 s: give it the chance.
  await new Promise((r) => setTimeout(r, 6000));
  console.log(JSON.stringify({ origins, sockets, ok }));
`,
        { OPENAI_API_KEY: 'sk-tracing-probe' },
      );
      expect(out.ok).toEqual([true, true, true]);
      expect(out.origins.length).toBeGreaterThanOrEqual(3);
      expect([...new Set(out.origins)]).toEqual([server.url]);
      expect(out.sockets.length).toBeGreaterThan(0);
      expect([...new Set(out.sockets)]).toEqual([`127.0.0.1:${server.port}`]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
