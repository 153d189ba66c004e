import * as vscode from 'vscode';
import type { PlanRunView } from '../protocol/messages';
import type { PlanGraphHost } from './planGraphHost';

/** Status words of a run in the quick pick (the graph itself shows node states). */
function statusText(status: PlanRunView['status']): string {
  switch (status) {
    case 'running':
      return vscode.l10n.t('running');
    case 'waiting_approval':
      return vscode.l10n.t('waiting for approval');
    case 'done':
      return vscode.l10n.t('done');
    case 'failed':
      return vscode.l10n.t('failed');
  }
}

/**
 * `FleetAI: Show Plan Graph`: the graph of a plan run. With one run it opens at once; with several the person
 * picks one (the newest first, preselected). Choosing the newest keeps the graph on the newest run, so a run
 * started later takes it over; choosing an older one pins it. Returns the run shown, or undefined.
 */
export async function showPlanGraph(
  plans: PlanGraphHost,
  open: () => Promise<void>,
  runId?: string,
): Promise<string | undefined> {
  let runs: PlanRunView[];
  try {
    runs = await plans.runs();
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    return undefined;
  }
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('No plan has run in this workspace yet. Run one with: fleet run:auto FILE'),
    );
    return undefined;
  }
  let chosen: string | undefined;
  if (typeof runId === 'string' && runId !== '') {
    if (!runs.some((run) => run.runId === runId)) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('There is no plan run {0} in this workspace.', runId),
      );
      return undefined;
    }
    chosen = runId;
  } else if (runs.length > 1) {
    const picked = await vscode.window.showQuickPick(
      runs.map((run, index) => ({
        label: run.planId,
        description: `${statusText(run.status)}${run.waits > 0 ? ` · ${vscode.l10n.t('{0} approvals', run.waits)}` : ''}`,
        detail: `${run.runId} · ${vscode.l10n.t('started {0}', run.started)}`,
        runId: run.runId,
        newest: index === 0,
        picked: index === 0,
      })),
      { title: vscode.l10n.t('FleetAI: Show Plan Graph'), placeHolder: vscode.l10n.t('Which plan run?') },
    );
    if (!picked) return undefined;
    chosen = picked.newest ? undefined : picked.runId;
  }
  plans.choose(chosen);
  await open();
  return chosen ?? runs[0]?.runId;
}
