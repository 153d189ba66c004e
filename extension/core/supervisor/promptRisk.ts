import { classifyCommand, decide, DEFAULT_RISK_RULES, extendRiskRules, type Risk } from '../approvals';

export interface CommandRiskVerdict {
  risk: Risk;
  reasons: string[];
  decision: 'auto' | 'ask' | 'deny';
}

export interface RiskPolicyInput {
  workspaceRoot: string;
  allow: string[];
  deny: string[];
  medium: 'auto' | 'ask' | 'deny';
}

/**
 * Rates what FleetAI is about to send or what an agent asks to do. A shell command (a shell pane's input, an
 * agent's command approval) is classified whole. A prompt to an AI agent is prose: only the commands it quotes
 * (`code spans`, fenced blocks, `$ ` lines) are classified, so "fix the failing test" is low while "run
 * `git push --force`" asks a human. An edit or another request without a command is medium.
 */
export function classifyPromptOrCommand(
  input: { text: string; kind: 'command' | 'edit' | 'other' | 'prompt' | 'shell'; cwd: string },
  policy: RiskPolicyInput,
): CommandRiskVerdict {
  const rules = extendRiskRules(DEFAULT_RISK_RULES, { allow: policy.allow, deny: policy.deny });
  const options = { workspaceRoot: policy.workspaceRoot, cwd: input.cwd };
  // Claude Code and Gemini CLI run a prompt line that starts with "!" in a shell: rated as the command it is.
  if (input.kind === 'prompt' && /^\s*!/.test(input.text)) {
    const c = classifyCommand(input.text.trim().slice(1).trim(), rules, options);
    return verdict(c.risk, c.reasons, c.denied, policy);
  }
  if (input.kind === 'prompt') {
    const quoted = quotedCommands(input.text);
    if (quoted.length === 0)
      return { risk: 'low', reasons: ['a prompt that quotes no command'], decision: 'auto' };
    const classifications = quoted.map((q) => classifyCommand(q, rules, options));
    const worst = classifications.reduce((a, b) => (rank(b.risk) > rank(a.risk) ? b : a));
    const merged = { ...worst, denied: classifications.some((c) => c.denied) };
    return verdict(merged.risk, merged.reasons, merged.denied, policy);
  }
  if ((input.kind === 'edit' || input.kind === 'other') && !input.text) {
    return verdict(
      'medium',
      [input.kind === 'edit' ? 'the agent wants to edit files' : 'the agent asks for a permission'],
      false,
      policy,
    );
  }
  // An empty command line runs nothing, so the classifier calls it low; here it means nobody could read it.
  if (!input.text.trim()) {
    return verdict('medium', ["the command could not be read from the agent's prompt"], false, policy);
  }
  const c = classifyCommand(input.text, rules, options);
  return verdict(c.risk, c.reasons, c.denied, policy);
}

function verdict(
  risk: Risk,
  reasons: string[],
  denied: boolean,
  policy: RiskPolicyInput,
): CommandRiskVerdict {
  return { risk, reasons, decision: decide({ risk, denied }, { medium: policy.medium }) };
}

const RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const rank = (r: Risk): number => RANK[r] ?? 0;

/** Commands quoted in prose: fenced blocks (each line), `code spans`, and lines that start with `$ `. */
export function quotedCommands(text: string): string[] {
  const found: string[] = [];
  const withoutFences = text.replace(/```[^\n]*\n([\s\S]*?)```/g, (_m, body: string) => {
    for (const line of body.split('\n')) if (line.trim()) found.push(line.replace(/^\s*\$\s+/, '').trim());
    return '\n';
  });
  for (const m of withoutFences.matchAll(/`([^`\n]+)`/g)) found.push(m[1]!.trim());
  for (const m of withoutFences.matchAll(/^\s*\$\s+(.+)$/gm)) found.push(m[1]!.trim());
  return found.filter(Boolean);
}
