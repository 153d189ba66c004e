import type { PlanGraphNodeData, PlanGraphSnapshotData } from '../core/plans/planGraphSnapshot';

export interface NodeOutputWords {
  run: string;
  plan: string;
  state: string;
  attempts: string;
  started: string;
  finished: string;
  error: string;
  output: string;
  noOutput: string;
  log: string;
  noLog: string;
}

/**
 * The text of a node's read-only output document (`plan.openNodeOutput`): what the graph's side panel shows,
 * plus the error in full, the times and the app log lines of that run and node. No vscode here, so the layout is
 * tested without an editor; the host passes the words in the person's language.
 */
export function nodeOutputText(input: {
  snapshot: PlanGraphSnapshotData;
  node: PlanGraphNodeData;
  logLines: string[];
  words: NodeOutputWords;
}): string {
  const { snapshot, node, logLines, words } = input;
  const version = snapshot.planVersion !== undefined ? ` v${snapshot.planVersion}` : '';
  const lines = [
    `# ${node.title} (${node.id})`,
    '',
    `${words.plan}: ${snapshot.planTitle} (${snapshot.planId}${version})`,
    `${words.run}: ${snapshot.runId}${snapshot.runStatus ? ` [${snapshot.runStatus}]` : ''}`,
    `${words.state}: ${node.state}`,
    `${words.attempts}: ${node.attempts}`,
    ...(node.startedAt ? [`${words.started}: ${node.startedAt}`] : []),
    ...(node.finishedAt ? [`${words.finished}: ${node.finishedAt}`] : []),
    ...(node.error ? ['', `## ${words.error}`, node.error] : []),
    '',
    `## ${words.output}`,
    node.outputExcerpt ?? words.noOutput,
    '',
    `## ${words.log}`,
    ...(logLines.length > 0 ? logLines : [words.noLog]),
    '',
  ];
  return lines.join('\n');
}
