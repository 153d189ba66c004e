import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../../extension/cli/program';
import { classifyCommand, DEFAULT_RISK_RULES } from '../../../extension/core/approvals';
import {
  orchestratorConfigJsonSchema,
  parseOrchestratorConfig,
} from '../../../extension/core/config/orchestratorConfig';
import { ErrorCode } from '../../../extension/core/errors';
import {
  checkMarkdown,
  configExamples,
  doctorCheckIds,
  formatProblem,
  loadFacts,
  markdownFiles,
  markedSection,
  missingConfigKeys,
  schemaKeys,
  undocumentedDoctorChecks,
  type DocFacts,
} from './docsTruth';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The real CLI (the commander program `fleet` runs), package.json and the error codes: nothing mocked. */
function realFacts(): DocFacts {
  const program = createProgram({ out: () => undefined, err: () => undefined });
  return loadFacts(root, program, Object.values(ErrorCode));
}

describe('the docs say only what the code has', () => {
  const facts = realFacts();

  it('finds the docs set', () => {
    const files = markdownFiles(root);
    for (const name of [
      'README.md',
      'docs/index.md',
      'docs/getting-started.md',
      'docs/getting-started.zh-cn.md',
      'docs/deployment-local.md',
      'docs/deployment-local.zh-cn.md',
      'docs/system-tools.md',
      'docs/configuration.md',
      'docs/troubleshooting.md',
      'docs/monitoring.md',
    ]) {
      expect(files, `${name} is part of the docs set`).toContain(name);
    }
  });

  it('names only commands, flags, palette titles, paths, links, settings and error codes that exist', () => {
    const problems = markdownFiles(root).flatMap((file) =>
      checkMarkdown(file, readFileSync(path.join(root, file), 'utf8'), facts),
    );
    expect(problems.map(formatProblem).join('\n')).toBe('');
  });

  it('docs/index.md starts with the same two commands as the README', () => {
    const firstBlock = (file: string): string | undefined =>
      /```bash\n([\s\S]*?)```/.exec(readFileSync(path.join(root, file), 'utf8'))?.[1];
    const readme = firstBlock('README.md');
    expect(readme).toMatch(/npm run demo[\s\S]*npm test/);
    expect(firstBlock('docs/index.md'), "docs/index.md: the first bash block must be the README's").toBe(
      readme,
    );
  });

  it('every orchestrator.json example in the docs is a valid config', () => {
    const problems: string[] = [];
    let count = 0;
    for (const file of markdownFiles(root)) {
      for (const example of configExamples(readFileSync(path.join(root, file), 'utf8'))) {
        count++;
        try {
          parseOrchestratorConfig(`${file}:${example.line}`, example.body);
        } catch (error) {
          problems.push(`${file}:${example.line}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    expect(count, 'examples marked // .fleetai/orchestrator.json').toBeGreaterThanOrEqual(4);
    expect(problems.join('\n')).toBe('');
  });

  it('docs/troubleshooting.md explains every check fleet doctor can report', () => {
    const ids = doctorCheckIds(root);
    for (const id of ['node', 'pty', 'state', 'config', 'agent:', 'env:', 'model.endpoint', 'control'])
      expect(ids, `doctor check ${id} found in extension/core/doctor`).toContain(id);
    const file = 'docs/troubleshooting.md';
    const problems = undocumentedDoctorChecks(file, readFileSync(path.join(root, file), 'utf8'), ids);
    expect(problems.map(formatProblem).join('\n')).toBe('');
  });

  it('docs/configuration.md names every key of the orchestrator.json schema', () => {
    const keys = schemaKeys(orchestratorConfigJsonSchema());
    expect(keys.length).toBeGreaterThan(100);
    const file = 'docs/configuration.md';
    const problems = missingConfigKeys(file, readFileSync(path.join(root, file), 'utf8'), keys);
    expect(problems.map(formatProblem).join('\n')).toBe('');
  });

  it("docs/configuration.md's generated tables match the schemas and package.json", () => {
    // Runs the generator in --check mode: exit 1 (and this test fails with its message) when a table is stale.
    let output = '';
    try {
      output = execFileSync(process.execPath, ['test/scripts/config-docs.mjs', '--check'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      expect.fail(`${stdout ?? ''}${stderr ?? ''}`);
    }
    expect(output).toContain('up to date');
  });
});

describe('docs/system-tools.md states the risk rules as the code applies them', () => {
  const text = readFileSync(path.join(root, 'docs/system-tools.md'), 'utf8');

  it('gives each example command the risk and a reason the classifier gives it', () => {
    const rows = markedSection(text, 'risk-examples')
      .map((line) => /^\| `(.+)` \| (low|medium|high|critical) \| (.+) \|$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null);
    expect(rows.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const [, cell, risk, why] of rows) {
      const command = cell!.replace(/\\\|/g, '|');
      const result = classifyCommand(command, DEFAULT_RISK_RULES, {
        workspaceRoot: '/home/dev/project',
        homeDir: '/home/dev',
      });
      if (result.risk !== risk)
        wrong.push(`\`${command}\`: the doc says ${risk}, the classifier ${result.risk}`);
      else if (risk !== 'low' && !result.reasons.some((reason) => why!.startsWith(reason)))
        wrong.push(
          `\`${command}\`: the doc's reason "${why}" is not one of ${JSON.stringify(result.reasons)}`,
        );
    }
    expect(wrong.join('\n')).toBe('');
  });

  it('lists exactly the built-in allow list', () => {
    const listed = markedSection(text, 'risk-allow')
      .join(' ')
      .match(/`[^`]+`/g)
      ?.map((span) => span.slice(1, -1));
    expect(listed).toEqual(DEFAULT_RISK_RULES.allow);
  });
});

describe('the checks fail on a doc that lies', () => {
  const facts = realFacts();

  it('names the file, the line and the missing thing', () => {
    const sample = [
      '# A stale page', // 1
      '', // 2
      '```bash', // 3
      'fleet status --json', // 4: fine
      'fleet frobnicate --now', // 5: no such command
      'fleet approvals:approve 1a2b --reason "ok --not-a-flag" --force', // 6: no --force
      '```', // 7
      '', // 8
      'Open **FleetAI: Launch Rockets** or **FleetAI: Show Dashboard**; the bar says `FleetAI: 2 working`.', // 9
      'See `extension/core/nowhere.ts`, `config/orchestrator.example.jsonc` and [the guide](no-such-guide.md).', // 10
      'Set `fleetai.noSuchSetting` or `fleetai.autoStart`; the error is E_NO_SUCH_CODE or E_CONFIG_SCHEMA.', // 11
      '`fleet --frobnicate`, `fleet --version`, `agents-config/*.schema.json`.', // 12
      '![the dashboard](../test-results/e2e/dashboard.png) ![ok](images/doctor.png)', // 13
    ].join('\n');
    const problems = checkMarkdown('docs/sample.md', sample, facts).map(formatProblem);
    expect(problems).toEqual([
      'docs/sample.md:5: `fleet frobnicate`: no such command in the fleet CLI (extension/cli/program.ts)',
      'docs/sample.md:6: `fleet approvals:approve --force`: the command has no option --force',
      'docs/sample.md:10: path `extension/core/nowhere.ts` does not exist in the repository',
      'docs/sample.md:12: `fleet --frobnicate`: fleet has no such option',
      'docs/sample.md:9: palette command "FleetAI: Launch Rockets" is not in package.json / package.nls*.json',
      'docs/sample.md:10: link target `no-such-guide.md` does not exist',
      'docs/sample.md:11: `fleetai.noSuchSetting` is not a fleetai.* setting, command or view in package.json',
      'docs/sample.md:11: error code E_NO_SUCH_CODE is not reported anywhere in extension/ (errors.ts)',
      'docs/sample.md:13: link target `../test-results/e2e/dashboard.png` is in test-results/, which a clone does not have: copy it to docs/images/',
    ]);
  });

  it('finds a config example with a misspelt key', () => {
    const doc = [
      '# x',
      '```jsonc',
      '// .fleetai/orchestrator.json',
      '"stall_timout_seconds": 60',
      '```',
    ].join('\n');
    const [example] = configExamples(doc);
    expect(example?.line).toBe(3);
    expect(() => parseOrchestratorConfig('docs/x.md:3', example!.body)).toThrow(
      /unknown key "stall_timout_seconds"/,
    );
  });

  it('reports a doctor check the troubleshooting page leaves out', () => {
    const doc = '| `node` | ... |\n| `env:<VARIABLE>` | ... |\n';
    const problems = undocumentedDoctorChecks('docs/troubleshooting.md', doc, ['node', 'env:', 'disk.space']);
    expect(problems.map(formatProblem)).toEqual([
      'docs/troubleshooting.md:1: fleet doctor check `disk.space` is not explained',
    ]);
  });

  it('reports a schema key the configuration reference leaves out', () => {
    const doc = '| Key |\n|---|\n| `stall_timeout_seconds` |\n| `panes[].id` |\n';
    const problems = missingConfigKeys('docs/configuration.md', doc, [
      'stall_timeout_seconds',
      'panes[].id',
      'backup.keep_daily',
    ]).map(formatProblem);
    expect(problems).toEqual([
      'docs/configuration.md:1: orchestrator.json key `backup.keep_daily` is not documented',
    ]);
  });
});
