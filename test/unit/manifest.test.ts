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
    configuration: { properties: Record<string, { markdownDescription?: string; description?: string }> };
    configurationDefaults: Record<string, unknown>;
    jsonValidation: { fileMatch: string | string[]; url: string }[];
    walkthroughs: {
      id: string;
      title: string;
      description: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { markdown?: string };
        completionEvents?: string[];
      }[];
    }[];
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

/** `[label](command:id)` links in a text. */
const commandLinks = (text: string): string[] =>
  [...text.matchAll(/\]\(command:([\w.-]+)/g)].map((m) => m[1] as string);

describe('settings and workspace files', () => {
  it('describes every setting through a %key% that English and Chinese both fill', () => {
    for (const [key, setting] of Object.entries(manifest.contributes.configuration.properties)) {
      const text = setting.markdownDescription ?? setting.description;
      expect(text, key).toMatch(/^%[\w.]+%$/);
      const nlsKey = (text as string).slice(1, -1);
      expect(nlsEn[nlsKey]?.trim(), `${key}: English`).toBeTruthy();
      expect(nlsZh[nlsKey]?.trim(), `${key}: Chinese`).toBeTruthy();
      expect(nlsZh[nlsKey], `${key}: Chinese is a copy of the English`).not.toBe(nlsEn[nlsKey]);
    }
  });

  it('adds no setting for a model API key (keys go to SecretStorage or the environment)', () => {
    for (const key of Object.keys(manifest.contributes.configuration.properties))
      expect(key.toLowerCase(), key).not.toMatch(/key|secret|token|password/);
  });

  it('validates the .fleetai workspace files against schemas that ship in the package', () => {
    const byFile = new Map(
      manifest.contributes.jsonValidation.flatMap((v) =>
        (Array.isArray(v.fileMatch) ? v.fileMatch : [v.fileMatch]).map((m) => [m, v.url] as const),
      ),
    );
    expect(byFile.get('.fleetai/orchestrator.json')).toBe('./config/orchestrator.schema.json');
    expect(byFile.get('.fleetai/agents/*.json')).toBe('./agents-config/agent-profile-override.schema.json');
    expect(byFile.get('.fleetai/plans/*.plan.json')).toBe('./config/plan.schema.json');
    expect(byFile.get('.fleetai/mcp.servers.json')).toBe('./config/mcp.servers.schema.json');
    const ignore = read('.vscodeignore');
    for (const url of byFile.values()) {
      expect(url.startsWith('./'), url).toBe(true);
      const schema = JSON.parse(read(url)) as { $schema?: string; type?: string };
      expect(schema.$schema, url).toMatch(/json-schema\.org/);
      expect(schema.type, url).toBe('object');
      // The folder is kept by a negated pattern, so vsce packs it.
      expect(ignore, url).toContain(`!${url.slice(2).split('/')[0] as string}/**`);
    }
  });

  it('opens orchestrator.json as JSON with comments (its loader accepts them), the agent files stay JSON', () => {
    const associations = manifest.contributes.configurationDefaults['files.associations'] as Record<
      string,
      string
    >;
    // VS Code matches a pattern with a "/" against the whole path, so it needs the leading **/.
    expect(associations).toEqual({ '**/.fleetai/orchestrator.json': 'jsonc' });
  });
});

describe('the walkthrough', () => {
  const walkthrough = manifest.contributes.walkthroughs[0];
  const steps = walkthrough?.steps ?? [];
  const declared = new Set(manifest.contributes.commands.map((c) => c.command));
  // Every view gets a "<view id>.focus" command from VS Code itself.
  const viewFocus = new Set(
    Object.values(manifest.contributes.views)
      .flat()
      .map((v) => `${v.id}.focus`),
  );
  const nlsText = (placeholder: string, nls: Record<string, string>): string =>
    nls[placeholder.slice(1, -1)] ?? '';

  it('starts an agent, answers an approval and opens the dashboard, in that order', () => {
    expect(manifest.contributes.walkthroughs).toHaveLength(1);
    expect(steps.map((s) => s.id)).toEqual([
      'fleetai.startAgent',
      'fleetai.answerApproval',
      'fleetai.openDashboard',
    ]);
    expect(commandLinks(nlsText(steps[0]?.description ?? '', nlsEn))).toContain('fleetai.newAgent');
    expect(commandLinks(nlsText(steps[1]?.description ?? '', nlsEn))).toContain('fleetai.approve');
    expect(commandLinks(nlsText(steps[2]?.description ?? '', nlsEn))).toContain('fleetai.showDashboard');
  });

  it('links and completes only on commands that exist, with the same links in Chinese', () => {
    for (const step of steps) {
      const links = commandLinks(nlsText(step.description, nlsEn));
      expect(links.length, step.id).toBeGreaterThan(0);
      expect(commandLinks(nlsText(step.description, nlsZh)), step.id).toEqual(links);
      const events = (step.completionEvents ?? []).map((e) => e.replace(/^onCommand:/, ''));
      expect(events.length, step.id).toBeGreaterThan(0);
      for (const command of [...links, ...events])
        expect(declared.has(command) || viewFocus.has(command), `${step.id}: ${command}`).toBe(true);
    }
  });

  it('has an English page and a zh-cn page (name.nls.zh-cn.md, which VS Code looks for) for every step', () => {
    for (const step of steps) {
      const page = step.media.markdown;
      expect(page, step.id).toMatch(/^media\/walkthrough\/\w+\.md$/);
      const en = read(page as string);
      const zh = read((page as string).replace(/\.md$/, '.nls.zh-cn.md'));
      expect(en, step.id).toMatch(/^# \S/);
      expect(zh, step.id).toMatch(/[\u4e00-\u9fff]/);
      // The same sections in both languages.
      const headings = (t: string): number => t.split('\n').filter((l) => l.startsWith('#')).length;
      expect(headings(zh), step.id).toBe(headings(en));
    }
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
