import { describeError } from '../errors';
import { pushActionKey } from './actionKeys';
import type { SupervisorContext } from './context';
import { recordAction, type PaneMeta } from './paneMetadata';
import type { FleetPaneView } from './ports';
import type { RecoveryStep } from './recoveryPolicy';

/**
 * Carries out the steps the recovery policies plan (recoveryPolicy.ts): nudge, retry, backoff, restart,
 * continue, notify, recovered; each one recorded in the pane's metadata and written to the audit trail. In dry
 * run nothing reaches the agent.
 */
export class RecoverySteps {
  /** Logged waits, so a backoff is audited once per spell rather than at every tick. */
  private readonly announcedWaits = new Map<string, number>();
  /** When FleetAI last interrupted or nudged a pane: the interruption it causes is not the end of a command. */
  private readonly lastNudgeAt = new Map<string, number>();

  constructor(private readonly ctx: SupervisorContext) {}

  /** When FleetAI last nudged or retried the pane (real time, ms since the epoch). */
  lastNudge(paneId: string): number | undefined {
    return this.lastNudgeAt.get(paneId);
  }

  async carryOut(pane: FleetPaneView, meta: PaneMeta, step: RecoveryStep): Promise<void> {
    const subject = { pane: pane.id, branch: pane.branch, agent: pane.kind };
    const dry = this.ctx.settings.dryRun;
    switch (step.type) {
      case 'nudge': {
        this.lastNudgeAt.set(pane.id, Date.now());
        recordAction(meta, 'nudge', `attempt ${step.attempt}: ${step.reason}`, this.ctx.iso());
        this.ctx.audit('recovery.nudge', {
          ...subject,
          attempt: step.attempt,
          reason: step.reason,
          result: dry ? 'dry_run' : 'sent',
        });
        if (!dry) {
          // Interrupt the stuck turn, let the agent show its prompt again, then tell it to go on.
          const since = this.ctx.fleet.get(pane.id)?.state.since;
          if (this.ctx.fleet.interrupt(pane.id)) await this.waitForStateChange(pane.id, since, 3000);
          const idle = this.ctx.fleet.get(pane.id)?.state.name === 'awaiting_input';
          await this.ctx.fleet.send(pane.id, this.ctx.fleet.nudgeText(pane.id), { whenReady: idle });
        }
        break;
      }
      case 'retry': {
        this.lastNudgeAt.set(pane.id, Date.now());
        recordAction(meta, 'retry', `attempt ${step.attempt}: ${step.reason}`, this.ctx.iso());
        this.ctx.audit('recovery.retry', {
          ...subject,
          attempt: step.attempt,
          reason: step.reason,
          result: dry ? 'dry_run' : 'sent',
        });
        if (!dry) await this.ctx.fleet.send(pane.id, this.ctx.fleet.nudgeText(pane.id), { whenReady: false });
        break;
      }
      case 'wait': {
        if (this.announcedWaits.get(pane.id) !== step.until) {
          this.announcedWaits.set(pane.id, step.until);
          recordAction(
            meta,
            'backoff',
            `${step.reason}, until ${new Date(step.until).toISOString()}`,
            this.ctx.iso(),
          );
          this.ctx.audit('recovery.backoff', {
            ...subject,
            until: new Date(step.until).toISOString(),
            reason: step.reason,
          });
        }
        break;
      }
      case 'restart': {
        recordAction(meta, 'restart', `attempt ${step.attempt}: ${step.reason}`, this.ctx.iso());
        this.ctx.queue.abandon(pane.id, 'the agent exited');
        this.ctx.audit('recovery.restart', {
          ...subject,
          attempt: step.attempt,
          reason: step.reason,
          result: dry ? 'dry_run' : 'started',
        });
        if (!dry) {
          await this.ctx.fleet.restart(pane.id).catch((error: unknown) => {
            meta.restart_failures += 1;
            this.ctx.audit('recovery.restart.failed', { ...subject, error: describeError(error) }, 'error');
          });
        }
        break;
      }
      case 'continue': {
        pushActionKey(meta, 'continue');
        const text = `The task is not finished yet. Still open:\n${step.remaining.map((r) => `- ${r}`).join('\n')}\nPlease continue.`;
        recordAction(meta, 'continue', step.remaining.join('; '), this.ctx.iso());
        this.ctx.audit('recovery.continue', {
          ...subject,
          remaining: step.remaining,
          result: dry ? 'dry_run' : 'queued',
        });
        await this.ctx.queue.enqueue({ pane: pane.id, text, kind: 'continue', source: 'supervisor' });
        break;
      }
      case 'notify': {
        recordAction(meta, 'notify', `${step.title}: ${step.message}`, this.ctx.iso());
        this.ctx.audit(
          'notify.sent',
          { ...subject, severity: step.severity, title: step.title, message: step.message },
          step.severity === 'critical' ? 'error' : 'warn',
        );
        this.ctx.notifier.notify({
          severity: step.severity,
          title: step.title,
          message: step.message,
          pane: pane.id,
          ...(pane.branch ? { branch: pane.branch } : {}),
          requires_confirmation: false,
        });
        break;
      }
      case 'recovered': {
        this.announcedWaits.delete(pane.id);
        recordAction(meta, 'recovered', step.reason, this.ctx.iso());
        this.ctx.audit('recovery.recovered', {
          ...subject,
          reason: step.reason,
          cleared: step.cleared.map((b) => b.kind),
        });
        break;
      }
    }
  }

  private async waitForStateChange(
    pane: string,
    since: string | undefined,
    timeoutMs: number,
  ): Promise<boolean> {
    // Real time: this waits for a real agent, whatever clock the policies run on.
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const state = this.ctx.fleet.get(pane)?.state;
      if (!state || state.since !== since) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }
}
