import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CompletionCriterion } from '../planSchema';

/** Criteria FleetAI can check by itself, without asking the agent (used to skip a prompt on resume). */
export function checkableWithoutAgent(criterion: CompletionCriterion): boolean {
  return criterion.kind === 'file_exists' || criterion.kind === 'command_succeeds';
}

export interface CriteriaContext {
  /** Where relative paths and commands are resolved: the agent's folder (its worktree), then the workspace. */
  folders: readonly string[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** The turn's answer, for output_contains; undefined when no turn ran. */
  text?: string;
  /** The agent ended its turn (turn_end). */
  turnEnded: boolean;
}

/** The criteria that do not hold, each said in one line (English / Chinese); empty when all hold. */
export async function unmetCriteria(
  criteria: readonly CompletionCriterion[],
  context: CriteriaContext,
): Promise<string[]> {
  const unmet: string[] = [];
  for (const criterion of criteria) {
    const problem = await check(criterion, context);
    if (problem) unmet.push(problem);
  }
  return unmet;
}

async function check(criterion: CompletionCriterion, context: CriteriaContext): Promise<string | undefined> {
  switch (criterion.kind) {
    case 'turn_end':
      return context.turnEnded ? undefined : 'the agent did not end its turn / 代理未结束本轮';
    case 'output_contains':
      return context.text?.includes(criterion.text)
        ? undefined
        : `the answer does not contain "${criterion.text}" / 回答不包含 "${criterion.text}"`;
    case 'file_exists': {
      for (const folder of context.folders) {
        if (await exists(path.resolve(folder, criterion.path))) return undefined;
      }
      return `${criterion.path} does not exist / ${criterion.path} 不存在`;
    }
    case 'command_succeeds': {
      const code = await exitCode(criterion.command, criterion.args, context);
      const line = [criterion.command, ...criterion.args].join(' ');
      return code === 0 ? undefined : `${line} exited with ${code} / ${line} 退出码 ${code}`;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs the program (no shell) in the agent's folder; a program that cannot start counts as a failure. */
function exitCode(
  command: string,
  args: readonly string[],
  context: CriteriaContext,
): Promise<string | number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: context.folders[0],
      env: context.env,
      stdio: 'ignore',
      signal: context.signal,
    });
    child.on('error', (error) => resolve(`error (${error.message})`));
    child.on('close', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
}
