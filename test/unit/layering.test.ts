import { ESLint } from 'eslint';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers';

const BAN_RULES = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports'];

const fixtures = {
  'import * as vscode': readFileSync(path.join(repoRoot, 'test/fixtures/lint/imports-vscode.ts'), 'utf8'),
  'import type * as vscode': readFileSync(
    path.join(repoRoot, 'test/fixtures/lint/imports-vscode-types.ts'),
    'utf8',
  ),
};

// Existing files, so that type-aware linting finds them in the project; lintText lints the given text
// instead. That text also replaces the file in typescript-eslint's shared project for the rest of this
// worker, so nothing here lints the real files after these calls.
const bannedLayers = [
  'extension/core/errors.ts',
  'extension/protocol/envelope.ts',
  'extension/cli/program.ts',
];
const vscodeLayer = 'extension/vscode/views.ts';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

async function lint(code: string, file: string): Promise<ESLint.LintResult> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  // A parse failure would also produce "no ban message": make sure the code was really linted.
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result;
}

describe('the vscode import ban (eslint.config.mjs)', () => {
  for (const file of bannedLayers) {
    for (const [what, code] of Object.entries(fixtures)) {
      it(`rejects \`${what}\` in ${file}`, async () => {
        const result = await lint(code, file);
        const bans = result.messages.filter((m) => m.ruleId && BAN_RULES.includes(m.ruleId));
        expect(bans.length).toBeGreaterThan(0);
        for (const ban of bans) {
          expect(ban.severity).toBe(2);
          expect(ban.line).toBe(2);
          expect(ban.message).toContain('must not import vscode');
        }
      });
    }
  }

  for (const [what, code] of Object.entries(fixtures)) {
    it(`allows \`${what}\` in ${vscodeLayer}`, async () => {
      const result = await lint(code, vscodeLayer);
      expect(result.messages.filter((m) => m.ruleId && BAN_RULES.includes(m.ruleId))).toEqual([]);
    });
  }

  it('configures the ban for the core, protocol and cli layers only', async () => {
    for (const file of bannedLayers) {
      const config = (await eslint.calculateConfigForFile(path.join(repoRoot, file))) as {
        rules: Record<string, unknown>;
      };
      expect(config.rules['no-restricted-imports']).toEqual([2, expect.anything()]);
    }
    const vscodeConfig = (await eslint.calculateConfigForFile(path.join(repoRoot, vscodeLayer))) as {
      rules: Record<string, unknown>;
    };
    expect(vscodeConfig.rules['no-restricted-imports']).toBeUndefined();
  });
});

describe('check-cycles.mjs', () => {
  const run = (...dirs: string[]) =>
    spawnSync(process.execPath, ['extension/build/check-cycles.mjs', ...dirs], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('fails on an import cycle and names both files', () => {
    const result = run('test/fixtures/cycle');
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(result.stderr).toContain('a.ts');
    expect(result.stderr).toContain('b.ts');
    expect(result.stderr).toMatch(/Circular imports \(1\)/);
  });

  it('passes on the extension sources', () => {
    const result = run('extension');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/no circular imports in \d+ files/);
  });

  it('is a usage error without folders', () => {
    const result = run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage');
  });
});
