import { describeError } from '../errors';
import { appendOperationsEntry } from '../observability/operationsLog';
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
        // The policies notify when they give up (or only wait now): a person gets what was tried and what to do.
        void appendOperationsEntry(
          this.ctx.workspaceRoot,
          {
            at: this.ctx.iso(),
            subject: `pane ${pane.id}${pane.branch ? ` (${pane.branch})` : ''}`,
            title: step.title,
            happened: step.message,
            tried: triedSoFar(meta),
            todo: todoFor(pane.id, step.title),
          },
          this.ctx.log,
        );
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

/** What the recovery policies already did for the pane in this spell, for the operations log. */
export function triedSoFar(meta: PaneMeta): string[] {
  const tried: string[] = [];
  if (meta.stall_nudges > 0) tried.push(`${meta.stall_nudges} nudge(s) / 催促 ${meta.stall_nudges} 次`);
  if (meta.error_retries > 0)
    tried.push(`${meta.error_retries} retr(ies) with backoff / 退避重试 ${meta.error_retries} 次`);
  if (meta.restart_failures > 0)
    tried.push(`${meta.restart_failures} restart(s) that failed / 重启失败 ${meta.restart_failures} 次`);
  if (meta.restart_not_before)
    tried.push(
      `restart circuit breaker open until ${meta.restart_not_before} / 重启熔断至 ${meta.restart_not_before}`,
    );
  const continues = meta.action_keys.filter((key) => key === 'continue').length;
  if (continues > 0) tried.push(`${continues} "continue" prompt(s) / 提示继续 ${continues} 次`);
  return tried;
}

/** A concrete next step for a person, by what the policies gave up on. */
function todoFor(pane: string, title: string): string {
  if (/authenticate/i.test(title))
    return `log the agent in again or fix its API key, then \`fleet unblock ${pane}\` / 重新登录或修复 API key，然后 \`fleet unblock ${pane}\``;
  if (/exiting/i.test(title))
    return `run the agent's command by hand to see why it exits (\`fleet status\` shows the exit), fix it, then \`fleet unblock ${pane}\` / 手动运行智能体命令查看退出原因，修复后 \`fleet unblock ${pane}\``;
  if (/circles/i.test(title))
    return `read the pane, give the agent a different instruction with \`fleet send ${pane} "..."\`, then \`fleet unblock ${pane}\` / 查看窗格，用 \`fleet send\` 给出不同指示，然后 \`fleet unblock ${pane}\``;
  return `look at the pane (\`fleet status\`), answer or fix what it waits for (\`fleet send ${pane} "..."\`), then \`fleet unblock ${pane}\` / 查看窗格并处理，然后 \`fleet unblock ${pane}\``;
}
