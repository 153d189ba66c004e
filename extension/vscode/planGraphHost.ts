import { spawn } from 'node:child_process';
import { watch, promises as fs, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApprovalStore } from '../core/approvals';
import { describeError } from '../core/errors';
import type { Logger } from '../core/observability/appLog';
import type { RunRecord } from '../core/plans/executor/runRecord';
import type { RunRecordIndex } from '../core/plans/executor/runRecordIndex';
import type { PlanGraphSnapshotData } from '../core/plans/planGraphSnapshot';
import type { Plan } from '../core/plans/planSchema';
import type { WorkspacePaths } from '../core/workspacePaths';
import type { DecideResult, PlanRunView } from '../protocol/messages';
import type { SupervisorHost } from './supervisorHost';

/** Pushes to the open graph are at most this often, however fast a run writes its record. */
const PUSH_INTERVAL_MS = 150;
/** fs.watch misses events on some file systems (network mounts, some containers): a cheap stat catches those. */
const POLL_MS = 1000;
/** The scheme of the read-only node output documents. */
export const PLAN_OUTPUT_SCHEME = 'fleetai-plan';

export interface PlanGraphHostOptions {
  /** The workspace folder: where a run resumed in this window runs its tasks. */
  folder: string | undefined;
  paths: WorkspacePaths | undefined;
  /** The `fleet` CLI of this extension (`dist/cli.js`): resumes runs in a child process. */
  cliPath?: string;
  supervisor: SupervisorHost;
  log: Logger;
}

/** Thrown to the webview with a code it can show; the message is already in the person's language. */
function planError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The host side of the plan graph: reads run records (`.fleetai/state/plans/<id>/runs/*.json`, written live by
 * whichever process runs the plan: `fleet run:auto` in a terminal or this window) and the plan versions they
 * ran, turns them into snapshots, follows the shown run while the graph is open, and carries the graph's
 * actions: an approval goes through the supervisor's `decide` (exactly once, audited), a node's output opens
 * as a read-only document.
 */
export class PlanGraphHost implements vscode.Disposable {
  /** The run the graph shows; undefined: the newest run of the workspace (a new run takes over the graph). */
  private chosen: string | undefined;
  private readonly plans = new Map<string, Promise<Plan | undefined>>();
  private store: Promise<ApprovalStore> | undefined;
  /** Records read once and again only when their file changed (the graph asks every second). */
  private runIndex: RunRecordIndex | undefined;
  private watcher: FSWatcher | undefined;
  private watchedDir: string | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private pushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSeen = '';
  private resuming: Promise<void> = Promise.resolve();
  private post: ((snapshot: PlanGraphSnapshotData) => void) | undefined;
  private readonly outputs = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [this.outputs];

  constructor(private readonly options: PlanGraphHostOptions) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(PLAN_OUTPUT_SCHEME, {
        onDidChange: this.outputs.event,
        provideTextDocumentContent: (uri) => this.outputText(uri),
      }),
    );
    this.followDecisions();
  }

  /**
   * A plan approval answered anywhere (the Approvals view, a notification, `fleet approvals:approve`, a phone)
   * lets its run go on: a run nobody runs any more is resumed, as after an answer in the graph.
   */
  private followDecisions(): void {
    if (!this.options.paths) return;
    void this.approvals()
      .then((store) => {
        const watch = store.watch((change) => {
          const threads = new Set(
            change.decided
              .filter((request) => request.agent.startsWith('plan-run:'))
              .map((request) => request.agent.slice('plan-run:'.length)),
          );
          for (const thread of threads) {
            this.resuming = this.resuming.then(async () => {
              const record = await this.record(thread).catch(() => undefined);
              if (record) await this.resumeOrphaned(record);
            });
          }
        });
        this.disposables.push({ dispose: () => watch.dispose() });
      })
      .catch((error: unknown) =>
        this.options.log.warn('plan', 'plan.decisions.unwatched', { error: describeError(error) }),
      );
  }

  /** Which run the graph shows from now on (undefined: always the newest). */
  choose(runId: string | undefined): void {
    this.chosen = runId;
    this.lastSeen = '';
    this.schedulePush();
  }

  get chosenRun(): string | undefined {
    return this.chosen;
  }

  /** Every run of the workspace, newest first. */
  async runs(): Promise<PlanRunView[]> {
    return (await this.records()).map((record) => ({
      runId: record.thread,
      planId: record.planId,
      ...(record.planVersion !== undefined ? { planVersion: record.planVersion } : {}),
      status: record.status,
      started: record.started,
      updated: record.updated,
      waits: record.waits.length,
    }));
  }

  /** The graph of a run: `runId`, else the chosen run, else the newest. */
  async snapshot(runId?: string): Promise<PlanGraphSnapshotData> {
    const record = await this.record(runId ?? this.chosen);
    const plan = await this.planOf(record);
    const { planGraphSnapshot } = await import('../core/plans/planGraphSnapshot');
    return planGraphSnapshot(plan, record);
  }

  /**
   * Decides the approval a node waits for. The request id comes from the run record, the decision goes through
   * the supervisor like every other (one answer wins, the audit log has it). A node that no longer waits but
   * was decided before gets that request decided again, so the person reads who answered first.
   */
  async approve(
    runId: string,
    nodeId: string,
    decision: 'approve' | 'deny',
    note?: string,
  ): Promise<DecideResult> {
    const record = await this.record(runId);
    const requestId =
      record.waits.find((wait) => wait.node === nodeId)?.requestId ??
      (await this.storedRequest(runId, nodeId));
    if (requestId === undefined)
      throw planError(
        'E_PLAN_NOT_WAITING',
        vscode.l10n.t('Node {0} of run {1} is not waiting for an approval.', nodeId, runId),
      );
    const outcome = await this.options.supervisor.decide(requestId, decision, note || undefined, {
      quiet: true,
    });
    this.options.log.info('plan', 'plan.approval.vscode', {
      planId: record.planId,
      thread: runId,
      node: nodeId,
      requestId,
      decision,
      ok: outcome.ok,
    });
    if (!outcome.ok)
      return { ok: false, id: requestId, code: outcome.error.code, message: outcome.error.message };
    this.schedulePush();
    // A run that waits in a process (`fleet run:auto`) goes on by itself; one nobody runs any more (`--no-wait`,
    // a closed terminal) is resumed here. One pass at a time: a second decision waits for the first pass.
    this.resuming = this.resuming.then(() => this.resumeOrphaned(record));
    return { ok: true, id: requestId, decision };
  }

  /** Resolves once the resumes started by decisions so far have ended or wait again (tests wait for it). */
  idle(): Promise<void> {
    return this.resuming;
  }

  /**
   * Resumes a run whose approvals are all answered and that no live process runs, as `fleet plan:resume THREAD`
   * in a child process (the stored plan version, the same agents and MCP servers as a terminal would use; it
   * stops again at the next approval). Not in this process: the executor (LangGraph) would double the extension's bundle and
   * add about 100 ms to every activation (measured: module load 232 -> 415 ms, median of 9 on a loaded 2-core
   * machine).
   */
  private async resumeOrphaned(record: RunRecord): Promise<void> {
    const { folder, paths, log, cliPath } = this.options;
    if (!folder || !paths || !cliPath) return;
    try {
      const fresh = await this.record(record.thread);
      if (fresh.status !== 'waiting_approval' || fresh.waits.length === 0) return;
      // Only JSON checkpoints outlive the process that wrote them.
      if (fresh.checkpoints !== undefined && fresh.checkpoints !== 'json') return;
      const { isRunActive } = await import('../core/plans/executor/runOwner');
      if (isRunActive(fresh)) return;
      const approvals = await this.approvals();
      for (const wait of fresh.waits) {
        const answer = await approvals.get(wait.requestId);
        if (answer !== undefined && !('decision' in answer)) return;
      }
      const child = spawn(
        process.execPath,
        [cliPath, 'plan:resume', fresh.thread, '--workspace', folder],
        // VS Code's own executable is Electron: this makes it plain Node (code-server's is Node already).
        { cwd: folder, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'ignore' },
      );
      log.info('plan', 'plan.resume', {
        planId: fresh.planId,
        thread: fresh.thread,
        pid: child.pid,
        by: 'vscode',
      });
      await new Promise<void>((resolve) => {
        child.on('error', (error) => {
          log.error('plan', 'plan.resume.failed', { thread: fresh.thread, error: describeError(error) });
          resolve();
        });
        child.on('exit', (code) => {
          log.info('plan', 'plan.resume.ended', { thread: fresh.thread, exitCode: code });
          resolve();
        });
      });
    } catch (error) {
      log.error('plan', 'plan.resume.failed', { thread: record.thread, error: describeError(error) });
    }
    this.schedulePush();
  }

  /** Opens the node's read-only output document (state, attempts, error, output excerpt, its log lines). */
  async openNodeOutput(runId: string, nodeId: string): Promise<vscode.TextDocument> {
    const record = await this.record(runId);
    const plan = await this.planOf(record);
    if (!plan.nodes.some((node) => node.id === nodeId))
      throw planError('E_PLAN_NODE_NOT_FOUND', vscode.l10n.t('Run {0} has no node {1}.', runId, nodeId));
    const uri = vscode.Uri.from({ scheme: PLAN_OUTPUT_SCHEME, path: `/${runId}/${nodeId}.log` });
    // Opened again after the node ran on: show the newest text, not VS Code's cached one.
    this.outputs.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return document;
  }

  /**
   * Follows the shown run while the graph is open: `post` gets a fresh snapshot when the run's record changes
   * (fs.watch on its folder, a 1 s stat as the fallback), at most every 150 ms. `undefined` stops following.
   */
  follow(post: ((snapshot: PlanGraphSnapshotData) => void) | undefined): void {
    this.post = post;
    if (!post) {
      this.stopWatching();
      return;
    }
    this.poll ??= setInterval(() => void this.check(), POLL_MS);
    void this.check();
  }

  private async check(): Promise<void> {
    try {
      const record = await this.record(this.chosen).catch(() => undefined);
      if (!record) return;
      const dir = path.join(this.stateDir(), 'plans', record.planId, 'runs');
      if (dir !== this.watchedDir) this.watchDir(dir);
      const seen = `${record.thread}@${record.updated}@${record.status}`;
      if (seen !== this.lastSeen) this.schedulePush();
    } catch (error) {
      this.options.log.warn('plan', 'plan.graph.watch_failed', { error: describeError(error) });
    }
  }

  private watchDir(dir: string): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedDir = dir;
    try {
      this.watcher = watch(dir, () => this.schedulePush());
      this.watcher.on('error', () => {
        // The poll goes on; the next check watches the folder again if it comes back.
        this.watcher?.close();
        this.watcher = undefined;
        this.watchedDir = undefined;
      });
    } catch {
      this.watchedDir = undefined;
    }
  }

  schedulePush(): void {
    if (this.pushTimer || !this.post) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      void this.push();
    }, PUSH_INTERVAL_MS);
  }

  private async push(): Promise<void> {
    const post = this.post;
    if (!post) return;
    try {
      const snapshot = await this.snapshot();
      this.lastSeen = `${snapshot.runId}@${snapshot.updatedAt}@${snapshot.runStatus ?? ''}`;
      post(snapshot);
    } catch (error) {
      // No run yet, or a record being replaced: the next change or poll tries again.
      this.options.log.debug('plan', 'plan.graph.push_skipped', { error: describeError(error) });
    }
  }

  private stopWatching(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedDir = undefined;
  }

  private stateDir(): string {
    const paths = this.options.paths;
    if (!paths)
      throw planError(
        'E_NO_WORKSPACE',
        vscode.l10n.t('Open a folder first: FleetAI keeps plan runs in the workspace folder.'),
      );
    return paths.stateDir;
  }

  private async records(): Promise<RunRecord[]> {
    const stateDir = this.stateDir();
    if (!this.runIndex) {
      const { RunRecordIndex } = await import('../core/plans/executor/runRecordIndex');
      this.runIndex ??= new RunRecordIndex(stateDir);
    }
    return this.runIndex.list();
  }

  private async record(runId: string | undefined): Promise<RunRecord> {
    const records = await this.records();
    const record = runId === undefined ? records[0] : records.find((r) => r.thread === runId);
    if (record) return record;
    throw runId === undefined
      ? planError(
          'E_PLAN_RUN_NOT_FOUND',
          vscode.l10n.t('No plan has run in this workspace yet. Run one with: fleet run:auto FILE'),
        )
      : planError(
          'E_PLAN_RUN_NOT_FOUND',
          vscode.l10n.t('There is no plan run {0} in this workspace.', runId),
        );
  }

  /** The plan version the run ran (versions never change once saved, so each is read once). */
  private async planOf(record: RunRecord): Promise<Plan> {
    const key = `${record.planId}@${record.planVersion ?? 'latest'}`;
    let loading = record.planVersion === undefined ? undefined : this.plans.get(key);
    if (!loading) {
      loading = (async () => {
        const { PlanStore } = await import('../core/plans/planStore');
        const saved = await new PlanStore({ stateDir: this.stateDir() }).load(
          record.planId,
          record.planVersion,
        );
        return saved?.plan;
      })();
      if (record.planVersion !== undefined) this.plans.set(key, loading);
    }
    const plan = await loading;
    if (!plan) {
      this.plans.delete(key);
      throw planError(
        'E_PLAN_NOT_FOUND',
        vscode.l10n.t(
          'The plan {0} (version {1}) of run {2} is not in .fleetai/state/plans.',
          record.planId,
          record.planVersion ?? '?',
          record.thread,
        ),
      );
    }
    return plan;
  }

  private approvals(): Promise<ApprovalStore> {
    const paths = this.options.paths;
    if (!paths) return Promise.reject(new Error('no workspace'));
    this.store ??= import('../core/supervisor/storeApprovals').then(({ openApprovalStore }) =>
      openApprovalStore(paths),
    );
    return this.store;
  }

  /**
   * The request of a run's node from the store, when the record does not name it: filed but not yet in the
   * record's waits (the node's state is written a moment before them), or answered already. `channelHint` is
   * `<node>` or `<node>#<loop pass>`; the newest wins.
   */
  private async storedRequest(runId: string, nodeId: string): Promise<string | undefined> {
    const store = await this.approvals();
    const agent = `plan-run:${runId}`;
    const ofNode = (r: { agent: string; channelHint?: string }): boolean =>
      r.agent === agent && (r.channelHint === nodeId || (r.channelHint?.startsWith(`${nodeId}#`) ?? false));
    const pending = (await store.pending()).filter(ofNode);
    if (pending.length > 0) return pending[pending.length - 1]?.id;
    const answered = (await store.completed()).filter(ofNode);
    return answered[answered.length - 1]?.id;
  }

  private async outputText(uri: vscode.Uri): Promise<string> {
    const [, runId = '', file = ''] = uri.path.split('/');
    const nodeId = file.replace(/\.log$/, '');
    try {
      const snapshot = await this.snapshot(runId);
      const node = snapshot.nodes.find((n) => n.id === nodeId);
      if (!node) return vscode.l10n.t('Run {0} has no node {1}.', runId, nodeId);
      const { nodeOutputText } = await import('./planOutputText');
      return nodeOutputText({
        snapshot,
        node,
        logLines: await this.logLines(runId, nodeId),
        words: {
          run: vscode.l10n.t('Run'),
          plan: vscode.l10n.t('Plan'),
          state: vscode.l10n.t('State'),
          attempts: vscode.l10n.t('Attempts'),
          started: vscode.l10n.t('Started'),
          finished: vscode.l10n.t('Finished'),
          error: vscode.l10n.t('Error'),
          output: vscode.l10n.t('Output (excerpt)'),
          noOutput: vscode.l10n.t('No output recorded.'),
          log: vscode.l10n.t('Log lines of this run and node ({0})', this.options.paths?.appLog ?? ''),
          noLog: vscode.l10n.t('No log lines.'),
        },
      });
    } catch (error) {
      return describeError(error);
    }
  }

  /** The app log's `plan` lines about this run: those of the node, and those of the run as a whole. */
  private async logLines(runId: string, nodeId: string): Promise<string[]> {
    const file = this.options.paths?.appLog;
    if (!file) return [];
    await this.options.log.flush();
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const lines: string[] = [];
    for (const line of text.split('\n')) {
      if (!line.includes(runId)) continue;
      try {
        const entry = JSON.parse(line) as { category?: string; context?: { thread?: string; node?: string } };
        if (entry.category !== 'plan' || entry.context?.thread !== runId) continue;
        if (entry.context.node === undefined || entry.context.node === nodeId) lines.push(line);
      } catch {
        // A line cut by a writer still at work: skip it.
      }
    }
    return lines;
  }

  dispose(): void {
    this.stopWatching();
    this.post = undefined;
    for (const d of this.disposables) d.dispose();
  }
}
