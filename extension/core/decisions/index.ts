/**
 * The supervisor's model: endpoint settings, the structured answers it may give, the prompt templates, the
 * decider that asks it (through @openai/agents, loaded on first use), and asking a running agent a question.
 * With no model configured, `resolveModelSettings` returns undefined and the decider answers
 * E_MODEL_NOT_CONFIGURED: the supervisor's rules decide alone.
 */
export {
  DEFAULT_MODEL_TIMEOUT_MS,
  MODEL_APIS,
  describeModelSettings,
  modelSettingsFromConfig,
  resolveModelSettings,
  type ConfigModelSection,
  type ModelApi,
  type ModelSettings,
  type ModelSettingsInput,
} from './modelSettings';
export {
  PHASES,
  RISK_LEVELS,
  checkDecomposition,
  decisionSchema,
  decompositionSchema,
  riskJudgementSchema,
  stricter,
  summarySchema,
  type Decision,
  type DecisionCommand,
  type DecomposedTask,
  type Phase,
  type RiskLevel,
  type Summary,
} from './decisionSchema';
export {
  DEFAULT_CONTEXT_LIMITS,
  compactContext,
  type ContextLimits,
  type DecisionContext,
  type RiskRequest,
} from './decisionContext';
export {
  PHASE_PROMPTS,
  PROMPT_NAMES,
  PROMPT_PLACEHOLDERS,
  builtinPromptsDir,
  loadPromptTemplates,
  type PromptName,
  type PromptTemplates,
} from './promptTemplates';
export {
  createModelDecider,
  type CallOptions,
  type ModelCallError,
  type ModelCallRecord,
  type ModelDecider,
  type ModelDeciderOptions,
  type ModelOperation,
  type ModelResult,
  type RiskJudgement,
} from './modelDecider';
export {
  DEFAULT_ASK_TIMEOUT_MS,
  DEFAULT_CHROME,
  askAgent,
  chromeFromRules,
  extractAnswer,
  type AskAnswer,
  type AskOptions,
  type AskResult,
} from './askAgent';
