// Run by crashResume.test.ts in a child process (bundled with esbuild): runs a plan of local tasks in WORKSPACE
// with JSON checkpoints. Each task appends its id to effects.txt; `hang` is a timer of HANG_SECONDS (long on
// the first run, to be killed during it). THREAD set resumes that run. Prints one line per node state change.
import * as path from 'node:path';
import { runPlan } from '../../../../extension/core/plans/executor';
import { effect, valid } from './executorFixtures';

const { WORKSPACE = '', HANG_SECONDS = '60', THREAD } = process.env;

// SCENARIO=parallel: the hang runs in the same step as p1 and p2 (killed with p1 and p2 finished, hang not).
const inParallel = process.env.SCENARIO === 'parallel';
const plan = valid(
  [
    {
      type: 'sequence',
      id: 'main',
      title: 'Main',
      children: inParallel ? ['s0', 'fan', 's3'] : ['s0', 'fan', 'hang', 's3'],
    },
    effect('s0'),
    { type: 'parallel', id: 'fan', title: 'Fan', children: inParallel ? ['p1', 'p2', 'hang'] : ['p1', 'p2'] },
    effect('p1'),
    effect('p2'),
    {
      type: 'local_task',
      id: 'hang',
      title: 'Hang',
      action: { kind: 'timer', seconds: Number(HANG_SECONDS) },
    },
    effect('s3'),
  ],
  'main',
);
const result = await runPlan({
  plan,
  workspace: WORKSPACE,
  stateDir: path.join(WORKSPACE, '.fleetai', 'state'),
  ...(THREAD ? { thread: THREAD } : { thread: 'crash-plan' }),
  onEvent: (event) => process.stdout.write(`${event.node} ${event.status}\n`),
});
process.stdout.write(`result ${result.status}\n`);
