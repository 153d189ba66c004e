import * as path from 'node:path';
import { describeError, type FleetError } from '../errors';
import { appendOperationsEntry } from '../observability/operationsLog';
import { probeWritable } from '../store/probeWritable';
import {
  findStateWriteError,
  stateWriteFacts,
  stateWriteFix,
  type StateWriteFacts,
} from '../store/stateWriteError';
import { CATEGORY, type SupervisorContext } from './context';
import { clearBlockers, recordAction, setBlocker, type PaneMeta } from './paneMetadata';

export const STATE_BLOCKER_REASON = 'blocked: state not writable';

interface Episode extends StateWriteFacts {
  since: string;
  panes: Set<string>;
  retries: number;
}

/**
 * Seed 004 §5: a state write the disk refuses (E_STATE_WRITE: read-only, full, no permission) blocks execution
 * and asks a person. The panes it concerns get a `state_unwritable` blocker and FleetAI stops acting on them (no
 * command, nudge, retry or restart: what it did could not be remembered); a critical notification and the
 * operations log name the file and the fix. Each tick tries the write again and, once the disk takes it, lifts
 * the blockers and says so: the supervisor resumes by itself.
 */
export class StateWriteGuard {
  private episode: Episode | undefined;

  constructor(
    private readonly ctx: SupervisorContext,
    /** Every pane's metadata: the ones blocked are looked up again when the state is writable. */
    private readonly metas: () => PaneMeta[],
  ) {}

  get blocked(): boolean {
    return this.episode !== undefined;
  }

  blocks(pane: string): boolean {
    return this.episode?.panes.has(pane) ?? false;
  }

  /** A state write failed with `error` for these panes (all of them for supervisor.json). */
  refused(error: FleetError, metas: PaneMeta[]): void {
    const first = this.episode === undefined;
    const episode = (this.episode ??= {
      ...stateWriteFacts(error),
      since: this.ctx.iso(),
      panes: new Set(),
      retries: 0,
    });
    const added = metas.filter((meta) => !episode.panes.has(meta.pane));
    if (added.length === 0) return;
    const reason = `${STATE_BLOCKER_REASON} (${episode.file}: ${episode.osCode})`;
    for (const meta of added) {
      episode.panes.add(meta.pane);
      setBlocker(meta, { kind: 'state_unwritable', reason, retries: episode.retries }, this.ctx.iso());
      recordAction(meta, 'blocked', reason, this.ctx.iso());
      this.ctx.updatePhase(meta);
    }
    const panes = added.map((meta) => meta.pane);
    this.ctx.audit(
      'supervisor.state.unwritable',
      { file: episode.file, os_code: episode.osCode, panes, error: error.message },
      'error',
    );
    if (!first) return;
    const fix = stateWriteFix(episode.file, episode.osCode);
    this.ctx.notifier.notify({
      severity: 'critical',
      title: 'FleetAI cannot write its state',
      message:
        `Could not write ${episode.file} (${episode.osCode}). FleetAI stopped acting on ${panes.join(', ')} ` +
        `(no commands, nudges or restarts) and kept everything already saved. Fix: ${fix.en}. FleetAI tries ` +
        `again at every tick and resumes by itself once the folder is writable. / 无法写入 ${episode.file}` +
        `（${episode.osCode}）：FleetAI 已停止操作 ${panes.join(', ')}，已保存的内容未丢失。处理：${fix.zh}。` +
        `可写后 FleetAI 会自动恢复。`,
      ...(panes.length === 1 ? { pane: panes[0] } : {}),
      requires_confirmation: false,
    });
    void appendOperationsEntry(
      this.ctx.workspaceRoot,
      {
        at: episode.since,
        subject: `supervisor, panes ${panes.join(', ')}`,
        title: 'state not writable / 状态不可写',
        facts: { file: `\`${episode.file}\` (${episode.osCode})` },
        happened: error.message,
        tried: [
          'stopped every action on the panes at once, to lose nothing / 立即停止对这些窗格的所有操作',
          'the write is tried again at every tick; the panes resume by themselves once it works / 每个 tick 重试写入，成功后自动恢复',
        ],
        todo: `${fix.en}; then check with \`fleet status\` that the blocker is gone / ${fix.zh}；然后用 \`fleet status\` 确认阻塞已解除`,
      },
      this.ctx.log,
    );
  }

  /**
   * At each tick while blocked: the refused folder and the supervisor's own state are written again; when both
   * work, the blockers are lifted, a person is told, and the supervisor acts on the panes again.
   */
  async retry(save: () => Promise<void>): Promise<boolean> {
    const episode = this.episode;
    if (!episode) return true;
    episode.retries += 1;
    try {
      await probeWritable(path.dirname(episode.file));
      await save();
    } catch (error) {
      for (const meta of this.blockedMetas()) {
        const blocker = meta.blockers.find((b) => b.kind === 'state_unwritable');
        if (blocker) blocker.retries = episode.retries;
      }
      this.ctx.log.debug(CATEGORY, 'supervisor.state.still_unwritable', {
        file: episode.file,
        retries: episode.retries,
        error: describeError(findStateWriteError(error) ?? error),
      });
      return false;
    }
    const panes = [...episode.panes];
    for (const meta of this.blockedMetas()) {
      clearBlockers(meta, ['state_unwritable']);
      recordAction(meta, 'recovered', `state writable again after ${episode.retries} tries`, this.ctx.iso());
      this.ctx.updatePhase(meta);
    }
    this.episode = undefined;
    this.ctx.audit('supervisor.state.writable', { file: episode.file, panes, retries: episode.retries });
    this.ctx.notifier.notify({
      severity: 'info',
      title: 'FleetAI can write its state again',
      message: `${episode.file} is writable again; FleetAI resumed ${panes.join(', ')}. / ${episode.file} 已可写，FleetAI 已恢复 ${panes.join(', ')}。`,
      requires_confirmation: false,
    });
    this.ctx.changed();
    return true;
  }

  private blockedMetas(): PaneMeta[] {
    const panes = this.episode?.panes ?? new Set<string>();
    return this.metas().filter((meta) => panes.has(meta.pane));
  }
}
