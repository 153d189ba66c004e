import type { PaneState } from '../panes/types';
import type { PaneMeta } from './paneMetadata';

/**
 * Next steps from rules, for the embedded default without a model (seed 003, scenario C): each blocker and error
 * class has advice a person can act on. With a model configured its `next_actions` replace these.
 */
export function nextActionsFromRules(meta: PaneMeta, state: PaneState): string[] {
  const actions: string[] = [];
  const evidence = [state.reason, state.error?.message ?? '', ...state.evidence].join('\n');
  const missingKey =
    /(api[_ -]?key|OPENAI_API_KEY|ANTHROPIC_API_KEY|GEMINI_API_KEY|unauthori[sz]ed|401|invalid x-api-key|not logged in|login)/i.exec(
      evidence,
    );
  for (const blocker of meta.blockers) {
    switch (blocker.kind) {
      case 'auth': {
        const name = /\b([A-Z][A-Z0-9_]*(?:API_KEY|TOKEN))\b/.exec(`${blocker.reason}\n${evidence}`)?.[1];
        actions.push(
          name
            ? `Set ${name} (environment or VS Code secret storage) for the ${meta.agent} agent, then restart the pane.`
            : `Provide valid credentials for the ${meta.agent} agent (API key or login), then restart the pane.`,
        );
        break;
      }
      case 'stall':
        actions.push(
          `Check the model endpoint and network for ${meta.pane}; the agent made no progress after ${blocker.retries} nudges.`,
        );
        actions.push('If the network is fine, interrupt the agent and give it a smaller next step.');
        break;
      case 'error':
        actions.push(
          `The agent failed repeatedly (${blocker.reason}); check the provider status and quotas, then continue it.`,
        );
        break;
      case 'restart':
        actions.push(
          `The agent exits right after starting; run it by hand in ${meta.pane}'s folder to see why (\`fleet doctor\` checks the setup).`,
        );
        break;
      case 'loop':
        actions.push(
          'The agent repeats itself: read its last answers, then give it a different instruction or split the task.',
        );
        break;
      case 'failure_streak':
        actions.push(
          `${meta.failure_streak} commands failed in a row: look at the last result ("${meta.last_command_result?.detail ?? ''}") before sending more.`,
        );
        break;
      case 'approval':
        actions.push('Answer the pending approval (Approvals view, `fleet approvals:list`).');
        break;
      case 'dependency':
        actions.push(`Finish the tasks this one depends on first: ${blocker.reason}.`);
        break;
      default:
        actions.push(blocker.reason);
    }
  }
  if (missingKey && !meta.blockers.some((b) => b.kind === 'auth')) {
    actions.push(
      `The screen mentions missing credentials ("${missingKey[0]}"): set the key the agent needs, then restart it.`,
    );
  }
  return [...new Set(actions)];
}
