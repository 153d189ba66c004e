import { z } from 'zod';
import { ErrorCode, FleetError } from '../errors';
import { formatIssues } from '../schemas/issues';
import { RiskSchema, type Risk } from './risk';

/**
 * An allow-list entry: a command prefix, compared word by word (`git push` matches `git push origin` but not
 * `git pushx`), and the risk of what it matches (`low` unless given). Between allow entries that match, the
 * longest prefix decides, so `{prefix: "git"}` with `{prefix: "git push", risk: "high"}` reads as "git is
 * fine, except push". Built-in checks (rm -rf outside the workspace, curl | sh, ...) still apply on top: an
 * allow entry never lowers them.
 */
export interface RiskRuleEntry {
  prefix: string;
  risk?: Risk;
}

export interface RiskRules {
  allow: (string | RiskRuleEntry)[];
  /** Prefixes that are never run without a person (see approvalPolicy: `deny`, or `ask` if configured). */
  deny: string[];
  /**
   * Folders outside the workspace that commands may write to without raising the risk (absolute, or `~/...`).
   * Empty by default: even /tmp is shared with every other program on the machine.
   */
  writableRoots: string[];
}

const prefixText = z
  .string()
  .trim()
  .min(1, 'a prefix needs at least one word')
  .refine((text) => !/[\n;&|]/.test(text), 'a prefix is one command: no ; & | or newline');

export const RiskRuleEntrySchema = z.union([
  prefixText,
  z.object({ prefix: prefixText, risk: RiskSchema.optional() }).strict(),
]);

/** What a workspace's config may say; every field is optional and extends DEFAULT_RISK_RULES. */
export const RiskRulesConfigSchema = z
  .object({
    allow: z.array(RiskRuleEntrySchema).optional(),
    deny: z.array(prefixText).optional(),
    writableRoots: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type RiskRulesConfig = z.input<typeof RiskRulesConfigSchema>;

/**
 * Commands that only read, list or run the project's own checks. Deliberately absent: `sed` (`-i` writes,
 * `e` runs programs), `git branch` (`-D` deletes), `npm run` (any script), `npx` (downloads and runs), `env`
 * and `xargs` (they run other commands; they are unwrapped instead), editors and pagers (they can run shells).
 */
export const DEFAULT_RISK_RULES: RiskRules = {
  allow: [
    'ls',
    'cat',
    'head',
    'tail',
    'wc',
    'pwd',
    'echo',
    'printf',
    'true',
    'false',
    'test',
    '[',
    '[[',
    'grep',
    'egrep',
    'fgrep',
    'rg',
    'find',
    'tree',
    'which',
    'file',
    'stat',
    'du',
    'df',
    'diff',
    'cmp',
    'sort',
    'uniq',
    'cut',
    'tr',
    'basename',
    'dirname',
    'realpath',
    'readlink',
    'date',
    'whoami',
    'uname',
    'jq',
    'cd',
    'git status',
    'git diff',
    'git log',
    'git show',
    'git rev-parse',
    'git ls-files',
    'git blame',
    'git branch --show-current',
    'git remote -v',
    'npm test',
    'npm run test',
    'npm run lint',
    'npm run typecheck',
    'npm ls',
    'node --version',
    'npm --version',
    'pytest',
    'python -m pytest',
    'python3 -m pytest',
    'go test',
    'go vet',
    'cargo test',
    'cargo check',
  ],
  deny: [],
  writableRoots: [],
};

/**
 * The rules a workspace runs with: the defaults plus its own entries. Allow entries are appended, so a
 * workspace entry with the same prefix as a default one overrides it (on equal length the later entry wins).
 */
export function extendRiskRules(base: RiskRules, extra: RiskRulesConfig | undefined): RiskRules {
  const result = RiskRulesConfigSchema.safeParse(extra ?? {});
  if (!result.success) {
    const problems = formatIssues(result.error.issues);
    throw new FleetError(ErrorCode.ConfigInvalid, `Invalid approval rules: ${problems.join('; ')}`, {
      problems,
    });
  }
  const parsed = result.data;
  return {
    allow: [...base.allow, ...(parsed.allow ?? [])],
    deny: [...base.deny, ...(parsed.deny ?? [])],
    writableRoots: [...base.writableRoots, ...(parsed.writableRoots ?? [])],
  };
}

export interface PrefixRule {
  prefix: string;
  tokens: string[];
  risk: Risk;
}

export function prefixTokens(prefix: string): string[] {
  return prefix.trim().split(/\s+/);
}

export function normalizeAllow(entries: RiskRules['allow']): PrefixRule[] {
  return entries.map((entry) => {
    const prefix = typeof entry === 'string' ? entry : entry.prefix;
    const risk = typeof entry === 'string' ? 'low' : (entry.risk ?? 'low');
    return { prefix: prefix.trim(), tokens: prefixTokens(prefix), risk };
  });
}

/** Word-by-word prefix match. */
export function matchesPrefix(words: readonly string[], tokens: readonly string[]): boolean {
  if (tokens.length === 0 || tokens.length > words.length) return false;
  return tokens.every((token, index) => words[index] === token);
}

/** The allow entry with the longest matching prefix (the later one on a tie), if any. */
export function longestAllow(words: readonly string[], rules: PrefixRule[]): PrefixRule | undefined {
  let best: PrefixRule | undefined;
  for (const rule of rules) {
    if (matchesPrefix(words, rule.tokens) && (!best || rule.tokens.length >= best.tokens.length)) best = rule;
  }
  return best;
}
