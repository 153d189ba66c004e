import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, FleetError, describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { Phase } from './decisionSchema';

/** The templates FleetAI ships in `config/prompts/<name>.md` (seed 000: planning/execution/testing/summary). */
export const PROMPT_NAMES = ['planning', 'execution', 'testing', 'summary', 'decomposition', 'risk'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

/** The placeholders each template may use; anything else in `{{...}}` is a mistake in the file. */
export const PROMPT_PLACEHOLDERS: Record<PromptName, readonly string[]> = {
  planning: ['agent', 'pane', 'phase', 'task', 'acceptance'],
  execution: ['agent', 'pane', 'phase', 'task', 'acceptance'],
  testing: ['agent', 'pane', 'phase', 'task', 'acceptance'],
  summary: ['agent', 'pane', 'max_words'],
  decomposition: ['task', 'max_tasks'],
  risk: ['agent', 'pane'],
};

/** Which template decides in which phase (seed 000: "map phase -> prompt"). */
export const PHASE_PROMPTS: Record<Phase, PromptName> = {
  PLANNING: 'planning',
  EXECUTING: 'execution',
  VERIFYING: 'testing',
  // A blocked pane needs a new plan around the blocker; a finished one is checked once more.
  BLOCKED: 'planning',
  DONE: 'testing',
};

export interface PromptTemplate {
  name: PromptName;
  /** The file the text came from: the workspace override or the shipped default. */
  file: string;
  text: string;
}

export interface PromptTemplates {
  get(name: PromptName): PromptTemplate;
  /** The template with its placeholders filled; a value left out reads "(none)". */
  render(name: PromptName, values: Partial<Record<string, string | number | undefined>>): string;
}

export interface LoadPromptTemplatesOptions {
  /** The shipped templates, normally `<extension>/config/prompts`. */
  builtinDir: string;
  /** The workspace's overrides, normally `<workspace>/.fleetai/prompts`; may not exist. */
  workspaceDir?: string;
  /** Files named by the orchestrator config's `prompts` section; they win over `workspaceDir`. */
  files?: Partial<Record<PromptName, string>>;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
// Notes for the people who edit a template (the Chinese note at the top of each) never reach the model.
const COMMENT = /<!--[\s\S]*?-->/g;

/** The shipped templates next to the bundle (`dist/` -> `config/prompts`) or at the repository root (source). */
export function builtinPromptsDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [
    path.resolve(here, '../config/prompts'),
    path.resolve(here, '../../config/prompts'),
    path.resolve(here, '../../../config/prompts'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'planning.md'))) ?? candidates[0]!;
}

/** The text a template sends, and the problems with its placeholders (each naming the file). */
export function parseTemplate(
  name: PromptName,
  file: string,
  raw: string,
): { text: string; problems: string[] } {
  const text = raw.replace(COMMENT, '').trim();
  const allowed = PROMPT_PLACEHOLDERS[name];
  const problems: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const key = match[1] ?? '';
    if (!allowed.includes(key)) {
      const line = text.slice(0, match.index).split('\n').length;
      problems.push(
        `${file}:${line}: unknown placeholder {{${key}}}; ${name} templates may use ${allowed.map((a) => `{{${a}}}`).join(' ')}`,
      );
    }
  }
  return { text, problems };
}

/**
 * Loads the shipped templates, then the workspace's `.fleetai/prompts/<name>.md` overrides. An override that is
 * missing is normal; one that is empty or unreadable falls back to the shipped text with a log line naming the
 * file; one with an unknown placeholder is an error (logged, E_PROMPT_TEMPLATE in the line) and falls back too,
 * so a typo in a workspace file never silences the supervisor. A shipped template that is missing or broken
 * throws E_PROMPT_TEMPLATE: that is a packaging bug.
 */
export async function loadPromptTemplates(options: LoadPromptTemplatesOptions): Promise<PromptTemplates> {
  const templates = new Map<PromptName, PromptTemplate>();
  for (const name of PROMPT_NAMES) {
    const file = path.join(options.builtinDir, `${name}.md`);
    let raw: string;
    try {
      raw = await fs.readFile(file, 'utf8');
    } catch (error) {
      throw new FleetError(ErrorCode.PromptTemplate, `${file}: cannot read: ${describeError(error)}`, {
        file,
      });
    }
    const { text, problems } = parseTemplate(name, file, raw);
    if (problems.length > 0 || text === '') {
      throw new FleetError(ErrorCode.PromptTemplate, problems[0] ?? `${file}: the template is empty`, {
        file,
      });
    }
    templates.set(name, { name, file, text });

    const named = options.files?.[name];
    if (!options.workspaceDir && !named) continue;
    const override = named ?? path.join(options.workspaceDir!, `${name}.md`);
    let overrideRaw: string;
    try {
      overrideRaw = await fs.readFile(override, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        options.log?.warn('decisions', 'prompt.override.unreadable', {
          file: override,
          fallback: file,
          error: describeError(error),
        });
      }
      continue;
    }
    const parsed = parseTemplate(name, override, overrideRaw);
    if (parsed.text === '') {
      options.log?.warn('decisions', 'prompt.override.empty', { file: override, fallback: file });
      continue;
    }
    if (parsed.problems.length > 0) {
      options.log?.error('decisions', 'prompt.override.invalid', {
        code: ErrorCode.PromptTemplate,
        file: override,
        fallback: file,
        problems: parsed.problems,
      });
      continue;
    }
    options.log?.info('decisions', 'prompt.override.loaded', { file: override });
    templates.set(name, { name, file: override, text: parsed.text });
  }

  const get = (name: PromptName): PromptTemplate => {
    const template = templates.get(name);
    if (!template) throw new FleetError(ErrorCode.PromptTemplate, `No prompt template "${name}"`);
    return template;
  };
  return {
    get,
    render(name, values) {
      const template = get(name);
      return template.text.replace(PLACEHOLDER, (_whole, key: string) => {
        if (!PROMPT_PLACEHOLDERS[name].includes(key)) {
          // Unreachable after parseTemplate, unless the caller changed the table; still never send "{{x}}".
          throw new FleetError(ErrorCode.PromptTemplate, `${template.file}: unknown placeholder {{${key}}}`, {
            file: template.file,
          });
        }
        const value = values[key];
        return value === undefined || value === '' ? '(none)' : String(value);
      });
    },
  };
}
