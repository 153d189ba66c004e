import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { translator } from '../../webview/shared/i18n';
import { repoRoot } from './helpers';

interface Manifest {
  name: string;
  displayName: string;
  main: string;
  bin: Record<string, string>;
  l10n: string;
  activationEvents: string[];
  extensionKind: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    configuration: { properties: Record<string, unknown> };
  };
}

const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const manifestText = read('package.json');
const manifest = JSON.parse(manifestText) as Manifest;
const nlsEn = JSON.parse(read('package.nls.json')) as Record<string, string>;
const nlsZh = JSON.parse(read('package.nls.zh-cn.json')) as Record<string, string>;

function sources(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(repoRoot, dir))) {
    const rel = path.join(dir, entry);
    if (statSync(path.join(repoRoot, rel)).isDirectory()) out.push(...sources(rel, ext));
    else if (ext.test(entry)) out.push(rel);
  }
  return out;
}

describe('package.json manifest', () => {
  it('names the extension, its entry points and the fleet CLI', () => {
    expect(manifest.name).toBe('fleetai');
    expect(manifest.displayName).toBe('FleetAI');
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.bin.fleet).toBe('./dist/cli.js');
    expect(manifest.extensionKind).toEqual(['workspace']);
  });

  it('activates only when needed, never at every startup', () => {
    for (const event of manifest.activationEvents) {
      expect(event === '*' || event === 'onStartupFinished', `activation event ${event}`).toBe(false);
    }
  });

  it('puts every command in the FleetAI category with a localised title', () => {
    expect(manifest.contributes.commands.map((c) => c.command)).toContain('fleetai.showDashboard');
    for (const command of manifest.contributes.commands) {
      expect(command.category).toBe('FleetAI');
      expect(command.title).toMatch(/^%[\w.]+%$/);
    }
  });

  it('gives every FleetAI view a welcome message', () => {
    const views = manifest.contributes.views.fleetai?.map((v) => v.id) ?? [];
    expect(views).toEqual(['fleetai.agents', 'fleetai.tasks', 'fleetai.approvals', 'fleetai.mcpServers']);
    expect(manifest.contributes.viewsWelcome.map((w) => w.view).sort()).toEqual([...views].sort());
  });

  it('keeps every setting under fleetai.', () => {
    const keys = Object.keys(manifest.contributes.configuration.properties);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith('fleetai.')).toBe(true);
  });
});

describe('English and Simplified Chinese', () => {
  it('has an English and a Chinese text for every %key% in package.json, and no unused keys', () => {
    const used = new Set([...manifestText.matchAll(/"%([\w.]+)%"/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(10);
    expect(new Set(Object.keys(nlsEn))).toEqual(used);
    expect(new Set(Object.keys(nlsZh))).toEqual(used);
    for (const key of used) expect(nlsZh[key as string], key).not.toBe('');
  });

  it('translates every vscode.l10n.t() string of the host into zh-cn, with the same placeholders', () => {
    const bundle = JSON.parse(read(path.join(manifest.l10n, 'bundle.l10n.zh-cn.json'))) as Record<
      string,
      string
    >;
    const strings = new Set<string>();
    for (const file of sources('extension/vscode', /\.ts$/)) {
      for (const m of read(file).matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) strings.add(m[1] as string);
    }
    expect(strings.size).toBeGreaterThan(3);
    expect(new Set(Object.keys(bundle))).toEqual(strings);
    for (const s of strings) {
      const placeholders = (t: string): string[] => [...t.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
      expect(placeholders(bundle[s] as string), s).toEqual(placeholders(s));
    }
  });

  it('translates every t() string of the webviews into zh-cn', () => {
    const t = translator('zh-cn');
    const strings = new Set<string>();
    for (const file of sources('webview', /\.tsx$/)) {
      for (const m of read(file).matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'\s*\)/g)) strings.add(m[1] as string);
    }
    expect(strings.size).toBeGreaterThan(3);
    for (const s of strings) expect(t(s), s).not.toBe(s);
    expect(translator('en')('Version')).toBe('Version');
  });
});
