/**
 * Every sentence the plan schema, the validator and the dry run say to a person, in English and Simplified
 * Chinese. The schema carries the English text (zod needs one message); `localizeMessage` turns it into the
 * person's language afterwards, and zod's own messages come from zod's zh-CN locale. Keeping both languages in
 * one table makes a missing translation visible in review instead of at a user's screen.
 */

export type PlanLocale = 'en' | 'zh-cn';

/** Picks the language from the environment of a CLI process: FLEETAI_LOCALE, else LC_ALL / LC_MESSAGES / LANG. */
export function planLocaleFromEnv(env: NodeJS.ProcessEnv = process.env): PlanLocale {
  const raw = env.FLEETAI_LOCALE ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return /^zh/i.test(raw) ? 'zh-cn' : 'en';
}

/** Reads a VS Code `env.language` style tag (`zh-cn`, `zh-CN`, `en`). */
export function planLocaleFromTag(tag: string | undefined): PlanLocale {
  return tag && /^zh/i.test(tag) ? 'zh-cn' : 'en';
}

interface Text {
  en: string;
  zh: string;
}

/** Fixed messages used inside the zod schema (English there, translated by `localizeMessage`). */
export const SCHEMA_TEXT = {
  nodeId: {
    en: 'must be 1-64 letters, digits, "_" or "-", starting with a letter (it is used in $.nodes.<id> paths)',
    zh: '必须是 1-64 个字母、数字、"_" 或 "-"，以字母开头（它用在 $.nodes.<id> 路径里）',
  },
  planId: {
    en: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (it names a folder)',
    zh: '必须是 1-64 个字母、数字、"."、"_" 或 "-"，以字母或数字开头（它是一个文件夹名）',
  },
  inputName: {
    en: 'input names must be letters, digits or "_", starting with a letter',
    zh: '输入名只能包含字母、数字或 "_"，并以字母开头',
  },
  agentKind: {
    en: 'must be 1-32 lowercase letters, digits or dashes, starting with a letter',
    zh: '必须是 1-32 个小写字母、数字或短横线，以字母开头',
  },
  envName: {
    en: 'must be an environment variable name (letters, digits, "_", not starting with a digit)',
    zh: '必须是环境变量名（字母、数字、"_"，不以数字开头）',
  },
  headerName: {
    en: 'must be an HTTP header name',
    zh: '必须是 HTTP 头名称',
  },
  secretHeader: {
    en: 'looks like a secret: never put secrets in a plan; name the environment variable that holds it in headersFromEnv instead',
    zh: '看起来是机密信息：计划里不能写机密；请改为在 headersFromEnv 里写出保存它的环境变量名',
  },
  urlCredentials: {
    en: 'has a user name or password in it: never put secrets in a plan; send them as a header from headersFromEnv',
    zh: '包含用户名或密码：计划里不能写机密；请通过 headersFromEnv 的请求头发送',
  },
  schemaVersion: {
    en: 'this FleetAI reads plans with schemaVersion 1',
    zh: '此版本的 FleetAI 只能读取 schemaVersion 为 1 的计划',
  },
  nodeType: {
    en: 'must be one of sequence, parallel, conditional, loop, human_approval, local_task, agent_invocation, mcp_tool, external_service',
    zh: '必须是 sequence、parallel、conditional、loop、human_approval、local_task、agent_invocation、mcp_tool、external_service 之一',
  },
  actionKind: {
    en: 'must be one of command, script, http, file, timer',
    zh: '必须是 command、script、http、file、timer 之一',
  },
  agentType: {
    en: 'must be one of pane (an existing pane), kind (an agent kind, started when needed), registry (an agent from the registry)',
    zh: '必须是 pane（已有的窗格）、kind（按需启动的智能体类型）、registry（注册表中的智能体）之一',
  },
  completionKind: {
    en: 'must be one of turn_end, output_contains, file_exists, command_succeeds',
    zh: '必须是 turn_end、output_contains、file_exists、command_succeeds 之一',
  },
  conditionOneKey: {
    en: 'a condition has exactly one of equals, notEquals, greaterThan, lessThan, contains, exists, all, any, not',
    zh: '条件必须且只能包含 equals、notEquals、greaterThan、lessThan、contains、exists、all、any、not 之一',
  },
  conditionPath: {
    en: 'must be a path such as "$.nodes.test.status" or "$.inputs.branch"',
    zh: '必须是路径，例如 "$.nodes.test.status" 或 "$.inputs.branch"',
  },
  fileNeedsContent: {
    en: 'is required for write and append',
    zh: 'write 和 append 操作必须提供',
  },
  fileNeedsTo: {
    en: 'is required for copy and move',
    zh: 'copy 和 move 操作必须提供',
  },
  fileNoContent: {
    en: 'is only used by write and append',
    zh: '只用于 write 和 append 操作',
  },
  fileNoTo: {
    en: 'is only used by copy and move',
    zh: '只用于 copy 和 move 操作',
  },
  emptyText: {
    en: 'must not be empty',
    zh: '不能为空',
  },
} satisfies Record<string, Text>;

const schemaTranslations = new Map<string, string>(Object.values(SCHEMA_TEXT).map((t) => [t.en, t.zh]));

/** The person's language for a message the schema produced (zod's own messages are localized by zod). */
export function localizeMessage(message: string, locale: PlanLocale): string {
  if (locale === 'en') return message;
  return schemaTranslations.get(message) ?? message;
}

/** Picks one language of a text made by a function of the problem's details. */
export function pick(locale: PlanLocale, text: Text): string {
  return locale === 'zh-cn' ? text.zh : text.en;
}
