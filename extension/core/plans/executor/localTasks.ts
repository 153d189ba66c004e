import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createMemoryLog } from '../../observability/appLog';
import { worktreeForBranch } from '../../panes/worktree';
import type { LocalAction, PlanNodeOf } from '../planSchema';
import type { WorkContext, WorkResult } from './workPorts';

/** Output kept per stream: enough to read an error, bounded so a chatty command cannot fill the checkpoints. */
export const MAX_OUTPUT_CHARS = 16_000;

function bounded(text: string): string {
  return text.length <= MAX_OUTPUT_CHARS ? text : `…${text.slice(-MAX_OUTPUT_CHARS)}`;
}

/** A path inside the workspace, or an error: plans never touch files outside it. */
export function insideWorkspace(workspace: string, relative: string): string {
  const root = path.resolve(workspace);
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep)) {
    throw new Error(`path "${relative}" is outside the workspace / 路径 "${relative}" 在工作区之外`);
  }
  return full;
}

function runProcess(
  program: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal; successExitCodes: number[] },
): Promise<WorkResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = bounded(stdout + chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = bounded(stderr + chunk)));
    const onAbort = (): void => void child.kill('SIGKILL');
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      options.signal.removeEventListener('abort', onAbort);
      resolve({ ok: false, error: `${program}: ${error.message}` });
    });
    child.on('close', (exitCode, signal) => {
      options.signal.removeEventListener('abort', onAbort);
      const output = { exitCode, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() };
      if (options.signal.aborted) resolve({ ok: false, error: 'timed out / 超时', output });
      else if (exitCode !== null && options.successExitCodes.includes(exitCode))
        resolve({ ok: true, output });
      else
        resolve({
          ok: false,
          error: `exit code ${exitCode ?? signal} / 退出码 ${exitCode ?? signal}`,
          output,
        });
    });
  });
}

/** One HTTP request; a JSON answer becomes structured output, anything else text (bounded). */
export async function httpRequest(
  fields: Pick<
    PlanNodeOf<'external_service'>,
    'method' | 'url' | 'headers' | 'headersFromEnv' | 'body' | 'expectStatus'
  >,
  context: WorkContext,
): Promise<WorkResult> {
  const headers: Record<string, string> = { ...(fields.headers ?? {}) };
  for (const [name, envName] of Object.entries(fields.headersFromEnv ?? {})) {
    const value = context.env[envName];
    if (value === undefined)
      return { ok: false, error: `environment variable ${envName} is not set / 环境变量 ${envName} 未设置` };
    headers[name] = value;
  }
  if (fields.body !== undefined) headers['content-type'] ??= 'application/json';
  try {
    const response = await fetch(fields.url, {
      method: fields.method,
      headers,
      signal: context.signal,
      ...(fields.body !== undefined ? { body: JSON.stringify(fields.body) } : {}),
    });
    const text = bounded(await response.text());
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    const output = { status: response.status, body };
    const ok = fields.expectStatus ? fields.expectStatus.includes(response.status) : response.ok;
    return ok ? { ok, output } : { ok, error: `HTTP ${response.status}`, output };
  } catch (error) {
    return { ok: false, error: context.signal.aborted ? 'timed out / 超时' : (error as Error).message };
  }
}

async function fileOperation(
  action: Extract<LocalAction, { kind: 'file' }>,
  workspace: string,
): Promise<WorkResult> {
  const target = insideWorkspace(workspace, action.path);
  const to = action.to !== undefined ? insideWorkspace(workspace, action.to) : '';
  switch (action.operation) {
    case 'read':
      return { ok: true, output: bounded(await fs.readFile(target, 'utf8')) };
    case 'write':
    case 'append':
      await fs.mkdir(path.dirname(target), { recursive: true });
      await (action.operation === 'write' ? fs.writeFile : fs.appendFile)(target, action.content ?? '');
      return { ok: true, output: action.path };
    case 'copy':
    case 'move':
      await fs.mkdir(path.dirname(to), { recursive: true });
      await (action.operation === 'copy' ? fs.cp(target, to, { recursive: true }) : fs.rename(target, to));
      return { ok: true, output: action.to };
    case 'delete':
      await fs.rm(target, { recursive: true, force: true });
      return { ok: true, output: action.path };
    case 'mkdir':
      await fs.mkdir(target, { recursive: true });
      return { ok: true, output: action.path };
    case 'exists':
      return {
        ok: true,
        output: await fs.stat(target).then(
          () => true,
          () => false,
        ),
      };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<WorkResult> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: true, output: null }), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve({ ok: false, error: 'timed out / 超时' });
    });
  });
}

/**
 * The folder a command, script or file operation works in: the workspace, or the worktree of its `branch` (the
 * one the plan's agents on that branch use; made, with the branch, when missing).
 */
async function baseFolder(action: LocalAction, context: WorkContext): Promise<string> {
  if (!('branch' in action) || action.branch === undefined) return context.workspace;
  return worktreeForBranch({
    repo: context.workspace,
    branch: action.branch,
    log: context.log ?? createMemoryLog(),
  });
}

/** Runs a local_task's action once (retries are the executor's). */
export async function runLocalAction(action: LocalAction, context: WorkContext): Promise<WorkResult> {
  try {
    switch (action.kind) {
      case 'command':
      case 'script': {
        const cwd = insideWorkspace(await baseFolder(action, context), action.cwd ?? '.');
        const env = { ...context.env, ...(action.env ?? {}) };
        const [program, args] =
          action.kind === 'command' ? [action.command, action.args] : [action.shell, ['-c', action.script]];
        return await runProcess(program, args, {
          cwd,
          env,
          signal: context.signal,
          successExitCodes: action.successExitCodes,
        });
      }
      case 'http':
        return await httpRequest(action, context);
      case 'file':
        return await fileOperation(action, await baseFolder(action, context));
      case 'timer':
        return await sleep(action.seconds * 1000, context.signal);
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
