import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Review } from '../../../extension/core/review';
import { buildCli, cleanCliEnv, runBuiltCli } from '../audit/builtCli';
import { seedWorkspace } from './seedWorkspace';

// `fleet review` as shipped (the CLI bundled the way extension/build/bundle.mjs does, into a temp folder), run as a
// child process on the seeded workspace.
let dir: string;
let cli: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fleetai-review-cli-'));
  cli = await buildCli(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without any model or locale setting of this machine. */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => cleanCliEnv(extra, {});

function fleet(
  args: string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runBuiltCli(cli, args, { env });
}

describe('fleet review', () => {
  it('--json prints the whole review', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const { pendingApprovalId } = await seedWorkspace(ws);
    const result = await fleet(['review', '-w', ws, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const review = JSON.parse(result.stdout) as Review;
    expect(review.source).toEqual({ kind: 'rules' });
    expect(review.progress.tasks).toMatchObject({ total: 8, done: 3, percent: 38 });
    expect(review.bottlenecks[0]!.key).toBe(`approval:${pendingApprovalId}`);
    expect(review.recommendations[0]!.command).toBe(`fleet approvals:approve ${pendingApprovalId}`);
    expect(review.forecast).toMatchObject({ enoughHistory: true, completions: 3, remaining: 5 });
    expect(existsSync(path.join(ws, '.fleetai/state/review/last.json'))).toBe(true);
  });

  it('--markdown reads as a report: headline, progress table, bottlenecks, forecast, next steps', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    const { pendingApprovalId } = await seedWorkspace(ws);
    const result = await fleet(['review', '-w', ws, '--markdown', '--no-save']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const md = result.stdout;
    expect(md).toMatch(
      /^# Project review: \d{4}-\d\d-\d\d \d\d:\d\d UTC\n\n\*\*3 of 8 tasks done \(38%\); 7 bottlenecks/,
    );
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Progress',
      '## Since the last review',
      '## Bottlenecks',
      '## Forecast',
      '## Next steps',
      '## Not read',
    ]);
    expect(md).toContain('| Task | Phase | Pane | Branch | Commits ahead | Diff | Expected |');
    expect(md).toMatch(
      new RegExp(
        `\\| api: Orders API \\| EXECUTING \\| api \\(awaiting_approval\\) \\| feature/api \\| 3 \\| \\+3/-0 \\| ` +
          `.+ UTC \\(once ${pendingApprovalId} is answered\\) \\|`,
      ),
    );
    expect(md).toContain('| ui: Orders page | PLANNING (waits for api) | - | - | - | - |');
    expect(md).toContain(`1. Approval ${pendingApprovalId} on pane api has waited 40 min`);
    expect(md).toMatch(
      /All 5 remaining tasks: \*\*in about 7\.5 days \(5 days to 10 days\), around .+ UTC\*\* \(between .+ and .+\)\./,
    );
    expect(md).toContain(
      'Pace: 0.67 tasks/day; a task finishes every 1.5 days (median; fastest 24 h, slowest 2 days).',
    );
    expect(md).toContain(`1. **Answer approval ${pendingApprovalId} on pane api (waiting 40 min)**`);
    expect(md).toContain(`   \`fleet approvals:approve ${pendingApprovalId}\``);
    expect(md).toContain(
      'Approvals: 1 pending (longest 40 min), 1 answered (a person answers in 10 min at the median).',
    );
    expect(md).toContain(
      '   `` fleet send search "Continue with task search: Product search. It is done when \\`rm -rf /tmp/fleetai-review-never-run-this\\` passes. Say what blocks you if something does." ``',
    );
    expect(md).toContain('_Recommendations: rules. Run the commands from the workspace folder._');
    expect(existsSync(path.join(ws, '.fleetai/state/review/last.json'))).toBe(false);

    const zh = await fleet(
      ['review', '-w', ws, '--markdown', '--no-save'],
      cleanEnv({ FLEETAI_LANG: 'zh-cn' }),
    );
    expect(zh.stdout.split('\n').filter((l) => l.startsWith('## '))).toEqual([
      '## 进度',
      '## 自上次评审以来',
      '## 瓶颈',
      '## 完成预测',
      '## 下一步',
      '## 未能读取',
    ]);
  });

  it('prints text by default and names a broken config', async () => {
    const ws = mkdtempSync(path.join(dir, 'ws-'));
    await seedWorkspace(ws);
    const text = await fleet(['review', '-w', ws, '--no-save']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^3 of 8 tasks done \(38%\)/);
    expect(text.stdout).toContain('\nNext steps:\n  1. Answer approval');

    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(ws, '.fleetai/orchestrator.json'), '{"review": {"digest_time": "9am"}}');
    const broken = await fleet(['review', '-w', ws]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(
      /^fleet review: E_CONFIG_SCHEMA: .*orchestrator\.json.*review\.digest_time/s,
    );
  });
});
