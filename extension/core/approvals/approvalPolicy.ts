import { z } from 'zod';
import { describeError } from '../errors';
import { RiskSchema, isAtLeast, riskRank, type Risk } from './risk';
import type { CommandClassification } from './riskClassifier';

export type PolicyAction = 'auto' | 'ask' | 'deny';

/**
 * `approvals.*` in a workspace's config. What each risk level leads to; high and critical can only be `ask`
 * or `deny` (the schema refuses `auto`, and `decide` ignores it if it slips through), low can be made stricter.
 * `denyList` says what a deny-list match does: `deny` (default; the rule exists to stop the command) or `ask`
 * (for teams that want a person to be able to let it through).
 */
export const ApprovalPolicyConfigSchema = z
  .object({
    low: z.enum(['auto', 'ask']).default('auto'),
    medium: z.enum(['auto', 'ask', 'deny']).default('ask'),
    high: z.enum(['ask', 'deny']).default('ask'),
    critical: z.enum(['ask', 'deny']).default('ask'),
    denyList: z.enum(['deny', 'ask']).default('deny'),
    /** How long the model judge may take before the request goes to a person. */
    judgeTimeoutMs: z.number().int().positive().max(600_000).default(15_000),
  })
  .strict();
export type ApprovalPolicyConfig = z.input<typeof ApprovalPolicyConfigSchema>;

export interface JudgeRequest {
  command: string;
  classification: CommandClassification;
  pane?: string;
  agent?: string;
  transcriptExcerpt?: string;
}

/** A model's opinion of a command's risk. It can only make a decision stricter. */
export type RiskJudge = (request: JudgeRequest, signal: AbortSignal) => Promise<Risk>;

export interface ApprovalPolicy extends ApprovalPolicyConfig {
  judge?: RiskJudge;
}

export interface PolicyDecision {
  action: PolicyAction;
  /** The risk the action was chosen for: the rules' risk, or the judge's if it was higher. */
  risk: Risk;
  reasons: string[];
  /** `model` when the judge's answer (or its failure) changed the outcome. */
  decidedBy: 'rule' | 'model';
  judge?: { answer?: Risk; error?: string };
}

/** What `decide` needs of a classification (the supervisor may merge several into one). */
export type ClassifiedRisk = Pick<CommandClassification, 'risk' | 'denied'> & { reasons?: string[] };

/**
 * The action the rules give, for a supervisor's hot path: low -> `auto` (unless `low: 'ask'`), medium -> as
 * configured (`ask` by default), high and critical -> `ask` (or `deny` if configured; never `auto`), a
 * deny-list match -> `deny` (or `ask` with `denyList: 'ask'`). No judge here: see `decideWithJudge`.
 */
export function decide(classification: ClassifiedRisk, policy: ApprovalPolicyConfig = {}): PolicyAction {
  return decideByRules(classification, policy).action;
}

/** `decide` with the risk it acted on and the reasons, for the record and the notification. */
export function decideByRules(
  classification: ClassifiedRisk,
  policy: ApprovalPolicyConfig = {},
): PolicyDecision {
  const config = normalizePolicy(policy);
  const reasons = [...(classification.reasons ?? [])];
  if (classification.denied) {
    const action = config.denyList === 'ask' ? 'ask' : 'deny';
    return { action, risk: atLeastHigh(classification.risk), reasons, decidedBy: 'rule' };
  }
  return {
    action: actionFor(classification.risk, config),
    risk: classification.risk,
    reasons,
    decidedBy: 'rule',
  };
}

/**
 * `decide`, then the model judge of the policy (if any) for anything the rules neither deny nor already rate
 * critical: a stricter answer wins, a lower one is ignored (and noted), and an error, a timeout or an answer
 * that is not a risk level sends the request to a person (fail closed) with the reason recorded.
 */
export async function decideWithJudge(
  classification: CommandClassification,
  policy: ApprovalPolicy = {},
  request: Omit<JudgeRequest, 'command' | 'classification'> = {},
): Promise<PolicyDecision> {
  const byRules = decideByRules(classification, policy);
  const judge = policy.judge;
  if (!judge || byRules.action === 'deny' || byRules.risk === 'critical') return byRules;
  const config = normalizePolicy(policy);

  let answer: Risk;
  try {
    answer = await withTimeout(
      (signal) => judge({ command: classification.command, classification, ...request }, signal),
      config.judgeTimeoutMs,
    );
    const parsed = RiskSchema.safeParse(answer);
    if (!parsed.success) throw new Error(`the judge answered ${JSON.stringify(answer)}, not a risk level`);
    answer = parsed.data;
  } catch (error) {
    const message = describeError(error);
    return {
      ...byRules,
      action: 'ask',
      reasons: [...byRules.reasons, `the model judge failed (${message}); a person decides`],
      decidedBy: 'model',
      judge: { error: message },
    };
  }
  if (riskRank(answer) <= riskRank(byRules.risk)) {
    const note =
      riskRank(answer) < riskRank(byRules.risk)
        ? [`the model judge rated it ${answer}; the rules' ${byRules.risk} stands`]
        : [];
    return { ...byRules, reasons: [...byRules.reasons, ...note], judge: { answer } };
  }
  return {
    action: actionFor(answer, config),
    risk: answer,
    reasons: [...byRules.reasons, `the model judge rated it ${answer}`],
    decidedBy: 'model',
    judge: { answer },
  };
}

type NormalizedPolicy = z.output<typeof ApprovalPolicyConfigSchema>;

/**
 * Field by field, a valid value or the default: `decide` never throws over a config (the config loader reports
 * schema errors), and a value the schema forbids (`high: 'auto'`) can never take effect.
 */
function normalizePolicy(policy: ApprovalPolicyConfig): NormalizedPolicy {
  const defaults = ApprovalPolicyConfigSchema.parse({});
  const shape = ApprovalPolicyConfigSchema.shape;
  const pick = <K extends keyof NormalizedPolicy>(key: K): NormalizedPolicy[K] => {
    const parsed = shape[key].safeParse(policy[key]);
    return parsed.success ? (parsed.data as NormalizedPolicy[K]) : defaults[key];
  };
  return {
    low: pick('low'),
    medium: pick('medium'),
    high: pick('high'),
    critical: pick('critical'),
    denyList: pick('denyList'),
    judgeTimeoutMs: pick('judgeTimeoutMs'),
  };
}

function actionFor(risk: Risk, config: NormalizedPolicy): PolicyAction {
  switch (risk) {
    case 'low':
      return config.low === 'ask' ? 'ask' : 'auto';
    case 'medium':
      return config.medium === 'auto' || config.medium === 'deny' ? config.medium : 'ask';
    case 'high':
      return config.high === 'deny' ? 'deny' : 'ask';
    case 'critical':
      return config.critical === 'deny' ? 'deny' : 'ask';
  }
}

function atLeastHigh(risk: Risk): Risk {
  return isAtLeast(risk, 'high') ? risk : 'high';
}

async function withTimeout<T>(run: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => run(controller.signal)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
