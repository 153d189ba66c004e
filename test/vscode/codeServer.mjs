// Starts and stops the test VS Code (code-server from npm) on 127.0.0.1 with isolated folders, following the
// recipe measured in ../shared/FIELD-NOTES.md. Shared by the integration tests, the e2e tests, the demo and the
// benchmark.
import { spawn, execFileSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** Installs code-server into its cache (once) and returns where its Node and entry point are. */
export function ensureCodeServer() {
  const dir = execFileSync('bash', [path.join(repoRoot, 'test/scripts/install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const node = path.join(dir, 'node/bin/node');
  const entry = path.join(dir, 'cs/node_modules/code-server/out/node/entry.js');
  if (!existsSync(node) || !existsSync(entry)) throw new Error(`code-server cache ${dir} is incomplete`);
  return { dir, node, entry };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A scratch folder for one run: user data, settings, extensions and the workspace live here. */
export function makeSandbox(label, settings = {}) {
  const root = mkdtempSync(path.join(tmpdir(), `fleetai-${label}-`));
  const dirs = {
    root,
    data: path.join(root, 'xdg-data'),
    config: path.join(root, 'xdg-config'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    logs: path.join(root, 'logs'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // A clean screen: no welcome page, no chat, no telemetry prompts.
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'chat.disableAIFeatures': true,
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        ...settings,
      },
      null,
      2,
    ),
  );
  return dirs;
}

function codeServerEnv(sandbox) {
  return {
    ...process.env,
    XDG_DATA_HOME: sandbox.data,
    XDG_CONFIG_HOME: sandbox.config,
    // The extension host inherits this; FleetAI must not pick up the developer's own agent configs.
    HOME: process.env.HOME,
  };
}

/** Installs a .vsix into the sandbox's extensions folder with code-server's own CLI. */
export function installVsix(cs, sandbox, vsix) {
  const out = execFileSync(
    cs.node,
    [
      cs.entry,
      '--extensions-dir',
      sandbox.extensions,
      '--user-data-dir',
      sandbox.userData,
      '--install-extension',
      vsix,
      '--force',
    ],
    { env: codeServerEnv(sandbox), encoding: 'utf8' },
  );
  return out;
}

/**
 * Starts code-server in its own process group and resolves once it answers /healthz. `stop()` ends the whole
 * group (the server, its extension hosts and anything they started).
 */
export async function startCodeServer(cs, sandbox, workspace, { port, extraArgs = [] } = {}) {
  port ??= await freePort();
  const logFile = path.join(sandbox.logs, 'code-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    cs.node,
    [
      cs.entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--reconnection-grace-time',
      '5',
      '--vscode-option',
      'enable-smoke-test-driver',
      '--user-data-dir',
      sandbox.userData,
      '--extensions-dir',
      sandbox.extensions,
      ...extraArgs,
      workspace,
    ],
    { env: codeServerEnv(sandbox), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start; see ${logFile}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`code-server did not answer on ${url} within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    url,
    logFile,
    stop: async () => {
      if (exited) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      // The server exits before its extension hosts have finished shutting down, and a host still saving its
      // state re-creates folders a test has just removed: wait for the whole group, not only the server.
      const groupAlive = () => {
        try {
          process.kill(-child.pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      const until = Date.now() + 5000;
      while ((!exited || groupAlive()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive()) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** The page address that opens `workspace`, optionally with extension-development payload entries. */
export function workbenchUrl(server, workspace, payload) {
  const params = new URLSearchParams({ folder: workspace });
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params.toString()}`;
}

/** The remote URI form that code-server's payload needs (`vscode-remote://127.0.0.1:PORT/abs/path`). */
export function remoteUri(server, absolutePath) {
  return `vscode-remote://127.0.0.1:${server.port}${absolutePath}`;
}

export const chromiumPath = process.env.FLEETAI_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Debian's chromium through playwright-core; on CI a missing browser is an error, never a skip. */
export async function launchChromium() {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `chromium not found at ${chromiumPath}: install it with "apt-get install chromium" (see .ci/run)`,
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

/**
 * Makes the sandbox's VS Code run in `zh-cn` (start it with `--locale zh-cn`). Microsoft's language pack cannot
 * be downloaded here, so a test-only pack (test/fixtures/zh-cn-language-pack) declares zh-cn with no translations
 * of VS Code itself: the workbench's own strings fall back to English and extensions' zh-cn texts are used. The
 * CLI install does not write the language-pack index that the running server reads, so it is written here in
 * the format of VS Code's LanguagePacksCache.
 */
export function installTestLanguagePack(cs, sandbox) {
  const source = path.join(repoRoot, 'test/fixtures/zh-cn-language-pack');
  const vsix = path.join(sandbox.root, 'language-pack-zh-cn.vsix');
  const vsce = path.join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--skip-license', '--allow-missing-repository', '--out', vsix],
    {
      cwd: source,
      stdio: 'ignore',
    },
  );
  installVsix(cs, sandbox, vsix);
  const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  const folder = readdirSync(sandbox.extensions).find((d) => d.startsWith(`${id}-`));
  if (!folder) throw new Error(`the test language pack ${id} was not installed in ${sandbox.extensions}`);
  const index = {
    'zh-cn': {
      hash: `fleetai-test-${manifest.version}`,
      label: '中文(简体)',
      extensions: [{ extensionIdentifier: { id }, version: manifest.version }],
      translations: { vscode: path.join(sandbox.extensions, folder, 'translations/main.i18n.json') },
    },
  };
  writeFileSync(path.join(sandbox.userData, 'languagepacks.json'), JSON.stringify(index));
}
