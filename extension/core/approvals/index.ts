/**
 * Risk and approvals: what a command may do (classifyCommand), what the policy makes of it (decide), and the
 * requests a person answers, exactly once across processes (ApprovalStore).
 */
export { RISK_LEVELS, RiskSchema, isAtLeast, maxRisk, riskRank, type Risk } from './risk';
export {
  DEFAULT_RISK_RULES,
  RiskRuleEntrySchema,
  RiskRulesConfigSchema,
  extendRiskRules,
  type RiskRuleEntry,
  type RiskRules,
  type RiskRulesConfig,
} from './riskRules';
export {
  classifyCommand,
  type ClassifyOptions,
  type CommandClassification,
  type RuleMatch,
  type SubcommandRisk,
} from './riskClassifier';
export {
  ApprovalPolicyConfigSchema,
  decide,
  decideByRules,
  decideWithJudge,
  type ApprovalPolicy,
  type ApprovalPolicyConfig,
  type ClassifiedRisk,
  type JudgeRequest,
  type PolicyAction,
  type PolicyDecision,
  type RiskJudge,
} from './approvalPolicy';
export {
  ApprovalDecisionSchema,
  ApprovalKindSchema,
  ApprovalRequestInputSchema,
  ApprovalRequestSchema,
  CompletedApprovalSchema,
  DecidedBySchema,
  isCompleted,
  type ApprovalDecision,
  type ApprovalKind,
  type ApprovalRecord,
  type ApprovalRequest,
  type ApprovalRequestInput,
  type CompletedApproval,
  type DecidedBy,
} from './approvalRecords';
export {
  ApprovalStore,
  type ApprovalStoreOptions,
  type ApprovalsChange,
  type DecideResult,
  type Disposable,
} from './approvalStore';
export {
  parseShell,
  unwrapCommand,
  type ParsedShell,
  type ShellWord,
  type SimpleCommand,
} from './shellCommand';
