// Makes a platform-specific .vsix: node-pty is native, so each package carries the node-pty binary for one
// platform only. On the build machine's own platform that is node-pty's build/Release (compiled by npm ci);
// for Windows and macOS node-pty ships prebuilds, and only the matching folder is kept.
//   npm run package                         -> dist/fleetai.vsix for this machine (e.g. linux-x64)
//   npm run package -- --target win32-x64   -> run on that platform after `npm ci` there
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--target');
const target = at >= 0 ? args[at + 1] : `${process.platform}-${process.arch}`;
const known = [
  'linux-x64',
  'linux-arm64',
  'linux-armhf',
  'alpine-x64',
  'alpine-arm64',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64',
  'win32-arm64',
];
if (!target || !known.includes(target)) {
  console.error(`package: unknown --target ${target ?? ''}; one of ${known.join(', ')}`);
  process.exit(2);
}
const hostTarget = `${process.platform}-${process.arch}`;
const [platform] = target.split('-');
if ((platform === 'linux' || platform === 'alpine') && target !== hostTarget) {
  console.error(
    `package: node-pty has no prebuilt binary for ${target}; build on a ${target} machine after npm ci.`,
  );
  process.exit(2);
}

let ignore = readFileSync('.vscodeignore', 'utf8');
// Only this platform's prebuilt binary; the rest would add ~55 MB of Windows and macOS binaries.
ignore += `\n!node_modules/node-pty/prebuilds/${target}/**\n`;
// The locally compiled binary belongs to this machine's platform only.
if (target !== hostTarget) ignore = ignore.replace(/^!node_modules\/node-pty\/build\/.*$/gm, '');
mkdirSync('dist', { recursive: true });
const ignoreFile = path.join('dist', `.vscodeignore-${target}`);
writeFileSync(ignoreFile, ignore);

const out = target === hostTarget ? 'dist/fleetai.vsix' : `dist/fleetai-${target}.vsix`;
const vsce = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')),
  'vsce',
);
execFileSync(
  process.execPath,
  [
    vsce,
    'package',
    '--target',
    target,
    '--ignoreFile',
    ignoreFile,
    '--no-update-package-json',
    '--no-rewrite-relative-links',
    '--out',
    out,
  ],
  {
    stdio: 'inherit',
  },
);
console.log(`package: ${out} (${target})`);

// A package that misses what FleetAI loads at run time fails here, not on a user's machine.
const listed = execFileSync(
  'python3',
  ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', out],
  { encoding: 'utf8' },
).split('\n');
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const required = [
  'extension/dist/extension.js',
  'extension/dist/cli.js',
  'extension/dist/fleet.js',
  'extension/dist/approve.js',
  'extension/dist/hook.js',
  'extension/dist/model.js',
  'extension/agents-config/codex.json',
  'extension/config/prompts/planning.md',
  'extension/config/orchestrator.schema.json',
  // The schemas of contributes.jsonValidation and the walkthrough's pages (English and zh-cn).
  ...manifest.contributes.jsonValidation.map((entry) => path.posix.join('extension', entry.url)),
  ...manifest.contributes.walkthroughs
    .flatMap((walkthrough) => walkthrough.steps)
    .flatMap((step) => [step.media.markdown, step.media.markdown.replace(/\.md$/, '.nls.zh-cn.md')])
    .map((file) => path.posix.join('extension', file)),
  'extension/node_modules/node-pty/package.json',
];
const missing = required.filter((file) => !listed.includes(file));
if (missing.length > 0) {
  console.error(`package: ${out} lacks ${missing.join(', ')}`);
  process.exit(1);
}
