import * as path from 'node:path';
import { classifyCommand, type ApprovalStore } from '../../approvals';
import { DEFAULT_RISK_RULES } from '../../approvals/riskRules';
import type { ApprovalDecision, PaneState } from '../../panes/types';
import type { PlanNodeOf } from '../planSchema';
import type { AgentWorkPort, WorkContext, WorkResult } from '../executor/workPorts';
import { readJournal, writeJournal } from './agentJournal';
import { checkableWithoutAgent, unmetCriteria } from './criteria';
import { runTurn, type TurnPane } from './turnPane';
import { anySignal, timeoutSignal } from '../../timeoutSignal';

/** What the port asks of whoever owns the panes: the CLI's PaneRegistry, or the VS Code host's own panes. */
export interface PaneAgentDriver {
  /** Starts a pane of this agent kind, in the workspace or in the worktree of `branch` (made when missing). */
  start(request: { kind: string; name: string; branch?: string; cwd?: string }): Promise<TurnPane>;
  /** A pane the driver knows by id (e.g. one of orchestrator.json), or undefined. */
  find(id: string): TurnPane | undefined;
  /** The ids it knows, to name them when a plan asks for another. */
  known(): string[];
  /** Ends a pane (the port only ends the ones it started). */
  stop(id: string): Promise<void>;
}

export interface PaneAgentPortOptions {
  driver: PaneAgentDriver;
  /** `<journalDir>/<key>.json` says whether a node's prompt already went to an agent (resume after a crash). */
  journalDir: string;
  /** Where approvals the agents ask for during a turn are filed; without it such a node fails, naming them. */
  approvals?: ApprovalStore;
  /** How often a filed approval is looked at for its decision. Default 250 ms. */
  pollMs?: number;
  /** How long a pane must have waited for input before a prompt is typed. Default 500 ms. */
  settleMs?: number;
  /**
   * The same for the first prompt to a pane this port started. Codex shows its composer at start, then works a
   * moment longer while its session starts (title spinner) and drops what is typed meanwhile. Default 2000 ms.
   */
  firstSettleMs?: number;
  /** How long the agent must be back at its prompt for a turn to count as ended (see runTurn). */
  quietMs?: number;
  /** The time limit of a node without `timeoutSeconds`. Default 3600 (an hour). */
  defaultTimeoutSeconds?: number;
}

export interface ClosableAgentPort extends AgentWorkPort {
  /** Ends the panes this port started (the plan run is over). */
  close(): Promise<void>;
}

type PaneNode = PlanNodeOf<'agent_invocation'>;

/**
 * agent_invocation nodes whose target is a pane: `kind` (a pane of that profile started the first time, in the
 * worktree of `branch` when given, and reused by later nodes with the same kind, branch and cwd) or `pane` (an
 * existing pane by id). The node types its prompt, waits for the turn to end, then checks every completion
 * criterion. One turn at a time per pane: parallel nodes on one pane take turns.
 *
 * Approvals the agent asks for during a turn are filed in the workspace ApprovalStore like the supervisor's
 * (pane id, agent kind, the command, its risk by the default risk rules, source "agent"); a command the rules
 * deny is denied at once (recorded as decided by "rule"); anything else waits for a person (`fleet
 * approvals:approve`, VS Code), at most until the node's timeout (then "expired", a denial).
 */
export function paneAgentPort(options: PaneAgentPortOptions): ClosableAgentPort {
  const { driver } = options;
  const started = new Map<string, Promise<TurnPane>>();
  const startedIds = new Set<string>();
  const turns = new Map<string, Promise<unknown>>();
  /** Panes this port started that have not had a turn yet. */
  const fresh = new Set<string>();

  const paneFor = async (node: PaneNode): Promise<TurnPane> => {
    const target = node.agent;
    if (target.type === 'pane') {
      const pane = driver.find(target.paneId);
      if (!pane) {
        const known = driver.known();
        throw new Error(
          `no pane "${target.paneId}" (known: ${known.length ? known.join(', ') : 'none'}) / ` +
            `没有窗格 "${target.paneId}"`,
        );
      }
      return pane;
    }
    if (target.type !== 'kind') throw new Error(`target ${target.type} is not a pane target`);
    const slot = [target.agentKind, target.branch ?? '', target.cwd ?? ''].join('\u0000');
    const existing = started.get(slot);
    if (existing) {
      const pane = await existing.catch(() => undefined);
      if (pane && pane.state.name !== 'exited') return pane;
    }
    const name = ['plan', target.agentKind, target.branch].filter(Boolean).join('-');
    const starting = driver
      .start({
        kind: target.agentKind,
        name,
        ...(target.branch ? { branch: target.branch } : {}),
        ...(target.cwd ? { cwd: target.cwd } : {}),
      })
      .then((pane) => {
        startedIds.add(pane.id);
        fresh.add(pane.id);
        return pane;
      });
    started.set(slot, starting);
    return starting;
  };

  /** One turn at a time per pane: the next waits for the one before, whatever its outcome. */
  const exclusive = <T>(paneId: string, work: () => Promise<T>): Promise<T> => {
    const before = turns.get(paneId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    turns.set(
      paneId,
      mine.catch(() => undefined),
    );
    return mine;
  };

  const decideApproval = async (
    pane: TurnPane,
    state: PaneState,
    key: string,
    context: WorkContext,
  ): Promise<ApprovalDecision> => {
    const command = state.approval?.command;
    const store = options.approvals;
    if (!store) {
      throw new Error(
        `pane ${pane.id} asks for an approval (${command ?? state.reason}) and no approvals store is open / ` +
          '代理请求审批，但没有审批存储',
      );
    }
    const rated = command
      ? classifyCommand(command, DEFAULT_RISK_RULES, { workspaceRoot: context.workspace, cwd: pane.cwd })
      : undefined;
    const request = await store.request({
      pane: pane.id,
      agent: pane.kind,
      kind: state.approval?.kind ?? 'other',
      ...(command ? { command } : {}),
      reason: state.approval?.reason ?? state.reason,
      risk: rated?.risk ?? 'medium',
      reasons: [...(rated?.reasons ?? []), `plan node ${key} / 计划节点 ${key}`],
      source: 'agent',
      channelHint: key,
      transcriptExcerpt: state.evidence.join('\n'),
    });
    if (rated?.denied) {
      await store.decide(request.id, 'deny', { by: 'rule', message: rated.reasons.join('; ') });
      return 'deny';
    }
    for (;;) {
      const record = await store.get(request.id);
      if (!record) return 'cancel';
      if ('decision' in record) return record.decision === 'expired' ? 'deny' : record.decision;
      if (context.signal.aborted) {
        const expired = await store.decide(request.id, 'expired', {
          by: 'rule',
          message: 'plan node timeout / 计划节点超时',
        });
        if (expired.ok) return 'deny';
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  };

  const invokeAgent = async (node: PaneNode, key: string, nodeContext: WorkContext): Promise<WorkResult> => {
    const criteria = node.completion;
    // A node without timeoutSeconds still ends: an agent stalled for good must not hold the run forever.
    const limit = node.timeoutSeconds === undefined ? (options.defaultTimeoutSeconds ?? 3600) : undefined;
    const context: WorkContext =
      limit === undefined
        ? nodeContext
        : {
            ...nodeContext,
            signal: anySignal([nodeContext.signal, timeoutSignal(limit * 1000)]),
          };
    const foldersOf = (cwd: string | undefined): string[] => [
      ...new Set([cwd, context.workspace].filter((f): f is string => !!f).map((f) => path.resolve(f))),
    ];

    // Resume safety, before any pane starts: the prompt went out before a crash, and what can be checked
    // without the agent holds (output_contains only on an answer the journal kept).
    const journal = await readJournal(options.journalDir, key);
    if (journal?.promptSentAt) {
      const needsText = criteria.some((c) => c.kind === 'output_contains');
      if (!needsText || journal.text !== undefined) {
        const unmet = await unmetCriteria(
          criteria.filter((c) => checkableWithoutAgent(c) || c.kind === 'output_contains'),
          {
            folders: foldersOf(journal.cwd),
            env: context.env,
            signal: context.signal,
            text: journal.text ?? '',
            turnEnded: true,
          },
        );
        if (unmet.length === 0) {
          return { ok: true, output: { text: journal.text ?? '', pane: journal.pane ?? '', resumed: true } };
        }
      }
    }

    let pane: TurnPane;
    try {
      pane = await paneFor(node);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const folders = foldersOf(pane.cwd);

    return exclusive(pane.id, async () => {
      // Written before the prompt is typed: a crash in between then errs on the side of not asking twice, and
      // the criteria still decide whether the work is there.
      const promptSentAt = new Date().toISOString();
      const entry = { key, node: node.id, pane: pane.id, cwd: pane.cwd, promptSentAt };
      await writeJournal(options.journalDir, entry);
      const settleMs = fresh.delete(pane.id) ? (options.firstSettleMs ?? 2000) : (options.settleMs ?? 500);
      const turn = await runTurn(pane, node.prompt, {
        signal: context.signal,
        settleMs,
        ...(options.quietMs !== undefined ? { quietMs: options.quietMs } : {}),
        onApproval: (p, state) => decideApproval(p, state, key, context),
      });
      const text = turn.text ?? '';
      const output = { text, pane: pane.id };
      if (!turn.ok) return { ok: false, error: turn.error, output };
      await writeJournal(options.journalDir, { ...entry, answeredAt: new Date().toISOString(), text });
      const unmet = await unmetCriteria(criteria, {
        folders,
        env: context.env,
        signal: context.signal,
        text,
        turnEnded: true,
      });
      if (unmet.length > 0) return { ok: false, error: `not complete: ${unmet.join('; ')}`, output };
      return { ok: true, output };
    });
  };

  return {
    invokeAgent,
    close: async () => {
      for (const id of startedIds) await driver.stop(id).catch(() => undefined);
      startedIds.clear();
      started.clear();
    },
  };
}
