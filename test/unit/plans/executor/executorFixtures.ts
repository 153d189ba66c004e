import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PlanInput, PlanNodeInput } from '../../../../extension/core/plans/planSchema';
import { validatePlan } from '../../../../extension/core/plans/validatePlan';
import type { Plan } from '../../../../extension/core/plans/planSchema';

/** A local task that appends its id to `effects.txt` in the workspace: the side effect the tests count. */
export function effect(id: string, extra: Partial<PlanNodeInput> = {}): PlanNodeInput {
  return {
    type: 'local_task',
    id,
    title: `Effect ${id}`,
    action: { kind: 'script', script: `echo ${id} >> effects.txt` },
    ...extra,
  } as PlanNodeInput;
}

export function valid(nodes: PlanNodeInput[], root: string, extra: Partial<PlanInput> = {}): Plan {
  const validation = validatePlan({
    schemaVersion: 1,
    id: 'exec-plan',
    title: 'Executor test',
    root,
    nodes,
    ...extra,
  });
  if (!validation.ok || !validation.plan) {
    throw new Error(`invalid test plan: ${validation.problems.map((p) => p.message).join('; ')}`);
  }
  return validation.plan;
}

export function effects(workspace: string): string[] {
  const file = path.join(workspace, 'effects.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}
