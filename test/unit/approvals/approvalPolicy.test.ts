import { describe, expect, it } from 'vitest';
import {
  decide,
  decideByRules,
  decideWithJudge,
  type ApprovalPolicy,
  type ApprovalPolicyConfig,
} from '../../../extension/core/approvals/approvalPolicy';
import { classifyCommand } from '../../../extension/core/approvals/riskClassifier';
import { DEFAULT_RISK_RULES, extendRiskRules } from '../../../extension/core/approvals/riskRules';
import type { Risk } from '../../../extension/core/approvals/risk';

const options = { workspaceRoot: '/work/app', homeDir: '/home/dev' };
const classify = (command: string) => classifyCommand(command, DEFAULT_RISK_RULES, options);

describe('decide (rules only)', () => {
  it.each<[Risk, ApprovalPolicyConfig, string]>([
    ['low', {}, 'auto'],
    ['medium', {}, 'ask'],
    ['high', {}, 'ask'],
    ['critical', {}, 'ask'],
    ['medium', { medium: 'auto' }, 'auto'],
    ['medium', { medium: 'deny' }, 'deny'],
    ['low', { low: 'ask' }, 'ask'],
    ['high', { high: 'deny' }, 'deny'],
    ['critical', { critical: 'deny' }, 'deny'],
  ])('%s with %j -> %s', (risk, policy, action) => {
    expect(decide({ risk, denied: false }, policy)).toBe(action);
  });

  it('never lets a config make high or critical automatic, even one that slipped past the schema', () => {
    const sneaky = { high: 'auto', critical: 'auto', medium: 'auto' } as unknown as ApprovalPolicyConfig;
    expect(decide({ risk: 'high', denied: false }, sneaky)).toBe('ask');
    expect(decide({ risk: 'critical', denied: false }, sneaky)).toBe('ask');
    expect(decide({ risk: 'medium', denied: false }, sneaky)).toBe('auto');
  });

  it('a deny-list match is denied, or asked when the policy says so, whatever the risk', () => {
    expect(decide({ risk: 'low', denied: true })).toBe('deny');
    expect(decide({ risk: 'low', denied: true }, { denyList: 'ask', low: 'auto' })).toBe('ask');
    expect(decideByRules({ risk: 'low', denied: true }).risk).toBe('high');
  });

  it('works on a real classification and keeps its reasons', () => {
    const rules = extendRiskRules(DEFAULT_RISK_RULES, { deny: ['npm publish'] });
    const denied = classifyCommand('npm test && npm publish', rules, options);
    expect(decideByRules(denied)).toMatchObject({ action: 'deny', risk: 'high', decidedBy: 'rule' });
    expect(decideByRules(denied).reasons).toContain('matches the deny rule "npm publish"');
    expect(decide(classify('ls'))).toBe('auto');
    expect(decide(classify('rm -rf /'), { medium: 'auto' })).toBe('ask');
  });
});

describe('decideWithJudge', () => {
  const policy = (judge: ApprovalPolicy['judge'], extra: ApprovalPolicyConfig = {}): ApprovalPolicy => ({
    ...extra,
    judge,
  });

  it('takes a stricter answer from the model', async () => {
    const result = await decideWithJudge(
      classify('ls'),
      policy(() => Promise.resolve('high')),
    );
    expect(result).toMatchObject({
      action: 'ask',
      risk: 'high',
      decidedBy: 'model',
      judge: { answer: 'high' },
    });
    expect(result.reasons).toContain('the model judge rated it high');
  });

  it('ignores a lower answer, and says so', async () => {
    const result = await decideWithJudge(
      classify('make deploy'),
      policy(() => Promise.resolve('low')),
    );
    expect(result).toMatchObject({ action: 'ask', risk: 'medium', decidedBy: 'rule' });
    expect(result.reasons.at(-1)).toBe("the model judge rated it low; the rules' medium stands");
  });

  it('fails closed: an error, a timeout or a nonsense answer makes even a low command ask', async () => {
    const thrown = await decideWithJudge(
      classify('ls'),
      policy(() => Promise.reject(new Error('HTTP 500'))),
    );
    expect(thrown).toMatchObject({
      action: 'ask',
      risk: 'low',
      decidedBy: 'model',
      judge: { error: 'HTTP 500' },
    });
    expect(thrown.reasons.at(-1)).toBe('the model judge failed (HTTP 500); a person decides');

    let aborted = false;
    const slow = await decideWithJudge(
      classify('ls'),
      policy(
        (_request, signal) =>
          new Promise<Risk>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
            setTimeout(() => resolve('low'), 5_000).unref();
          }),
        { judgeTimeoutMs: 50 },
      ),
    );
    expect(slow.action).toBe('ask');
    expect(slow.judge?.error).toBe('no answer within 50 ms');
    expect(aborted).toBe(true);

    const nonsense = await decideWithJudge(
      classify('ls'),
      policy(() => Promise.resolve('safe' as Risk)),
    );
    expect(nonsense.action).toBe('ask');
    expect(nonsense.judge?.error).toContain('not a risk level');

    const syncThrow = await decideWithJudge(
      classify('ls'),
      policy(() => {
        throw new Error('boom');
      }),
    );
    expect(syncThrow.action).toBe('ask');
  });

  it('does not consult the judge for what the rules deny or rate critical, and passes it the context', async () => {
    const calls: unknown[] = [];
    const judge: ApprovalPolicy['judge'] = (request) => {
      calls.push(request);
      return Promise.resolve('low');
    };
    await decideWithJudge(classify('rm -rf /'), policy(judge));
    await decideWithJudge(classify('make'), policy(judge, { medium: 'deny' }));
    expect(calls).toEqual([]);
    await decideWithJudge(classify('make'), policy(judge), { pane: 'p1', agent: 'codex' });
    expect(calls).toMatchObject([
      { command: 'make', pane: 'p1', agent: 'codex', classification: { risk: 'medium' } },
    ]);
  });

  it('without a judge it is decideByRules', async () => {
    expect(await decideWithJudge(classify('ls'))).toEqual(decideByRules(classify('ls')));
  });
});
