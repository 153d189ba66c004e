import { exec } from 'node:child_process';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import { createClassifier } from '../supervisor/approvalsGlue';
import type { TestFact } from './types';

/**
 * Test results for the review (`fleet review --run-tests` only): the configured commands and nothing else, each
 * task's `acceptance.command` and `review.test_command`. Each is first judged by the same risk rules as an
 * agent's command (the config's allow and deny lists): anything high or critical, or denied, is not run
 * unattended and is reported as skipped, with why.
 */

export interface TestRunOptions {
  workspace: string;
  config: OrchestratorConfig;
  /** Per command; default 5 minutes. */
  timeoutMs?: number;
}

export async function runConfiguredTests(options: TestRunOptions): Promise<TestFact[]> {
  const { config, workspace } = options;
  const classify = createClassifier(config, workspace);
  const jobs: { task?: string; command: string }[] = [];
  const seen = new Set<string>();
  for (const task of config.tasks) {
    const command = task.acceptance?.command;
    if (command && !seen.has(command)) {
      seen.add(command);
      jobs.push({ task: task.id, command });
    }
  }
  const general = config.review.test_command;
  if (general && !seen.has(general)) jobs.push({ command: general });

  const results: TestFact[] = [];
  // One after another: two test suites at once fight over the same files and the same cores.
  for (const job of jobs) {
    const verdict = classify({ text: job.command, kind: 'shell', cwd: workspace });
    if (verdict.decision === 'deny' || verdict.risk === 'high' || verdict.risk === 'critical') {
      results.push({
        ...job,
        result: 'skipped',
        tail: `not run unattended: ${verdict.risk} risk (${verdict.reasons.join('; ') || 'denied by the rules'})`,
      });
      continue;
    }
    results.push({ ...job, ...(await run(job.command, workspace, options.timeoutMs ?? 300_000)) });
  }
  return results;
}

function run(
  command: string,
  cwd: string,
  timeoutMs: number,
): Promise<Pick<TestFact, 'result' | 'exitCode' | 'tail' | 'seconds'>> {
  const started = Date.now();
  return new Promise((resolve) => {
    exec(command, { cwd, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-8).join('\n').slice(-1200);
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({
        result: exitCode === 0 ? 'passed' : 'failed',
        exitCode,
        tail,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    });
  });
}
