import { memo, useCallback, useMemo, useState } from 'react';
import type { DashboardSnapshot } from '../../extension/protocol/messages';
import {
  type EventView,
  type PaneAction,
  type PaneView,
  type SupervisorView,
  type TaskView,
} from '../../extension/protocol/messages';
import { ActionButton, Ago, ConnectionBar, Icon, useWords, WordsContext } from '../shared/components';
import { toggleId } from '../shared/uiState';
import { useHostView, type StartedView } from '../shared/useHostView';
import { heartbeatText, paneStateText, phaseWord, supervisorModeText, taskStatusWord } from '../shared/words';
import { clockTime } from '../shared/time';
import { eventKeys, groupPanes, newestFirst, stateCounts, taskRows } from './model';
import { McpServers } from './McpServers';
import { PaneRow } from './PaneRow';
import { ReviewSection, type ReviewActions, type ReviewPane } from './Review';

export function App({ started }: { started: StartedView<DashboardSnapshot> }): React.JSX.Element {
  const view = useHostView(started);
  const { t, language, snapshot, info, connected, setUi, request } = view;
  const words = useMemo(() => ({ t, language }), [t, language]);
  const [busy, setBusy] = useState<Record<string, PaneAction>>({});

  const onToggle = useCallback(
    (paneId: string, on: boolean) => setUi((ui) => ({ ...ui, expanded: toggleId(ui.expanded, paneId, on) })),
    [setUi],
  );
  const onAction = useCallback(
    (pane: string, action: PaneAction) => {
      setBusy((b) => ({ ...b, [pane]: action }));
      void request('pane.action', { pane, action }, { waitsForPerson: true }).finally(() =>
        setBusy((b) => {
          const { [pane]: _done, ...rest } = b;
          return rest;
        }),
      );
    },
    [request],
  );

  // The review can take a while (a model, test commands): its answer is awaited like a person's; the
  // snapshot shows "reviewing…" meanwhile.
  const reviewActions = useMemo<ReviewActions>(
    () => ({
      run: (runTests) => void request('review.run', { runTests }, { waitsForPerson: true }),
      copy: async (text) => (await request('host.copyText', { text })).ok,
      nudge: (pane) => onAction(pane, 'nudge'),
      showApprovals: () => void request('host.showApprovals', {}),
    }),
    [request, onAction],
  );

  // Pane names for the tasks and events tables, kept as one object while no pane is added, removed or renamed,
  // so that a state change does not render those tables again.
  const nameKey = snapshot ? snapshot.panes.map((p) => `${p.id}\u0000${p.name}`).join('\u0001') : '';
  const names = useMemo(() => paneNames(nameKey), [nameKey]);
  // The review's Nudge buttons depend only on which panes exist and their states: the section is not drawn
  // again for every other change of a pane (a new action, a queued command).
  const stateKey = snapshot ? snapshot.panes.map((p) => `${p.id}\u0000${p.state}`).join('\u0001') : '';
  const reviewPanes = useMemo(() => paneStates(stateKey), [stateKey]);

  const stale = snapshot !== undefined && (!view.fresh || !connected);
  return (
    <WordsContext.Provider value={words}>
      <main
        data-testid="dashboard"
        data-rendered={view.fresh ? 'true' : undefined}
        className={stale ? 'stale' : undefined}
      >
        <header className="top">
          <h1 data-testid="dashboard-title">{t('FleetAI Dashboard')}</h1>
          {info ? (
            <span
              className="version muted"
              data-testid="dashboard-version"
              title={`${t('Editor')} ${info.hostVersion}`}
            >
              {info.name} {info.version}
            </span>
          ) : null}
          <span className="spacer" />
          <ActionButton
            testId="show-approvals"
            icon="shield"
            disabled={!connected}
            onAct={() => void request('host.showApprovals', {})}
          >
            {t('Approvals')}{' '}
            <vscode-badge variant="counter" data-testid="pending-count">
              {snapshot?.pendingApprovals ?? 0}
            </vscode-badge>
          </ActionButton>
          <ActionButton
            testId="open-log"
            secondary
            icon="output"
            disabled={!connected}
            onAct={() => void request('host.openLog', {})}
          >
            {t('Open log')}
          </ActionButton>
        </header>
        <ConnectionBar
          status={view.status}
          onRetry={view.retry}
          {...(stale ? { staleSince: snapshot.updatedAt } : {})}
        />
        {info?.workspace !== undefined ? (
          <p className="workspace muted">
            {t('Workspace')}: {info.workspace ?? t('No folder open')}
          </p>
        ) : null}
        {snapshot ? (
          <>
            <SupervisorLine supervisor={snapshot.supervisor} />
            <Counts panes={snapshot.panes} />
            <Panes
              panes={snapshot.panes}
              tasks={snapshot.tasks}
              expanded={view.ui.expanded}
              canAct={connected}
              busy={busy}
              onToggle={onToggle}
              onAction={onAction}
            />
            <Tasks tasks={snapshot.tasks} names={names} />
            <ReviewSection
              review={snapshot.review}
              panes={reviewPanes}
              connected={connected}
              actions={reviewActions}
            />
            <McpServers mcp={snapshot.mcp} />
            <Events events={snapshot.events} names={names} />
          </>
        ) : (
          <p className="muted">{t('Waiting for FleetAI…')}</p>
        )}
      </main>
    </WordsContext.Provider>
  );
}

function paneNames(key: string): ReadonlyMap<string, string> {
  const names = new Map<string, string>();
  for (const entry of key ? key.split('\u0001') : []) {
    const [id = '', name = ''] = entry.split('\u0000');
    names.set(id, name);
  }
  return names;
}

function paneStates(key: string): ReviewPane[] {
  return (key ? key.split('\u0001') : []).map((entry) => {
    const [id = '', state = ''] = entry.split('\u0000');
    return { id, state: state as ReviewPane['state'] };
  });
}

const SupervisorLine = memo(function SupervisorLine({ supervisor }: { supervisor: SupervisorView }) {
  const { t } = useWords();
  return (
    <p className={`supervisor mode-${supervisor.mode}`} data-testid="supervisor">
      <span className="label">{t('Supervisor')}</span>
      <span>{supervisorModeText(t, supervisor)}</span>
      <span className="sep">·</span>
      <span className="label">{t('Heartbeat')}</span>
      <span className={`heartbeat heartbeat-${supervisor.heartbeat}`} data-testid="dashboard-heartbeat">
        {t(heartbeatText[supervisor.heartbeat])}
      </span>
      <span className="muted" data-testid="heartbeat-age">
        {supervisor.heartbeatAt ? <Ago at={supervisor.heartbeatAt} /> : t('no heartbeat yet')}
      </span>
      {supervisor.dryRun ? (
        <>
          <span className="sep">·</span>
          <span
            className="dry-run"
            data-testid="dry-run"
            title={t('dry run: decides and logs, types nothing')}
          >
            {t('dry run')}
          </span>
        </>
      ) : null}
    </p>
  );
});

const Counts = memo(function Counts({ panes }: { panes: PaneView[] }) {
  const { t } = useWords();
  return (
    <p className="counts" data-testid="counts">
      <span className="label">{t('Agents')}</span>
      <span data-testid="pane-count">{panes.length}</span>
      {stateCounts(panes).map(({ state, count }) => (
        <span key={state} className={`count state-${state}`} data-state={state}>
          {count} {t(paneStateText[state])}
        </span>
      ))}
    </p>
  );
});

const Panes = memo(function Panes(props: {
  panes: PaneView[];
  tasks: TaskView[];
  expanded: string[];
  canAct: boolean;
  busy: Record<string, PaneAction>;
  onToggle: (paneId: string, on: boolean) => void;
  onAction: (paneId: string, action: PaneAction) => void;
}) {
  const { t } = useWords();
  const groups = useMemo(() => groupPanes(props.panes), [props.panes]);
  const titles = useMemo(() => new Map(props.tasks.map((task) => [task.id, task.title])), [props.tasks]);
  const expanded = useMemo(() => new Set(props.expanded), [props.expanded]);
  if (props.panes.length === 0) {
    return <p className="muted empty">{t('No agents yet. Start one with "FleetAI: New Agent".')}</p>;
  }
  const headed = groups.some((g) => g.branch !== undefined);
  return (
    <section className="panes" aria-label={t('Agents')}>
      {groups.map((group) => (
        <div className="pane-group" key={group.key} data-testid="pane-group" data-branch={group.key}>
          {headed ? (
            <h3 className="group-title">
              <Icon name="git-branch" /> {group.branch ?? t('No branch')}{' '}
              <span className="muted">({group.panes.length})</span>
            </h3>
          ) : null}
          {group.panes.map((pane) => (
            <PaneRow
              key={pane.id}
              pane={pane}
              taskTitle={pane.taskId ? titles.get(pane.taskId) : undefined}
              expanded={expanded.has(pane.id)}
              canAct={props.canAct}
              busy={props.busy[pane.id]}
              onToggle={props.onToggle}
              onAction={props.onAction}
            />
          ))}
        </div>
      ))}
    </section>
  );
});

const Tasks = memo(function Tasks({
  tasks,
  names,
}: {
  tasks: TaskView[];
  names: ReadonlyMap<string, string>;
}) {
  const { t } = useWords();
  const rows = useMemo(() => taskRows(tasks), [tasks]);
  return (
    <section className="tasks">
      <h2>{t('Tasks')}</h2>
      {rows.length === 0 ? (
        <p className="muted">{t('No tasks.')}</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>{t('Title')}</th>
              <th>{t('Phase')}</th>
              <th>{t('Status')}</th>
              <th>{t('Owner')}</th>
              <th>{t('Pane')}</th>
              <th>{t('Depends on')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ task, dependencies }) => (
              <tr key={task.id} data-testid="task-row" data-task-id={task.id}>
                <td>
                  {task.title} <span className="muted">{task.id}</span>
                </td>
                <td className={task.phase ? `phase phase-${task.phase}` : undefined}>
                  {task.phase ? phaseWord(t, task.phase) : ''}
                </td>
                <td className={`task-status status-${task.status}`}>{taskStatusWord(t, task.status)}</td>
                <td>{task.owner ?? ''}</td>
                <td>{task.pane ? (names.get(task.pane) ?? task.pane) : ''}</td>
                <td>
                  {dependencies.map((d, i) => (
                    <span key={d.id} className={d.done ? 'dep dep-done' : 'dep'} title={d.id}>
                      {i > 0 ? ', ' : ''}
                      {d.title ?? `${d.id} (${t('unknown task')})`}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
});

const Events = memo(function Events({
  events,
  names,
}: {
  events: EventView[];
  names: ReadonlyMap<string, string>;
}) {
  const { t } = useWords();
  const sorted = useMemo(() => newestFirst(events), [events]);
  const keys = useMemo(() => eventKeys(sorted), [sorted]);
  const now = Date.now();
  return (
    <section className="events">
      <h2>{t('Recent events')}</h2>
      {sorted.length === 0 ? (
        <p className="muted">{t('No events yet.')}</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>{t('Time')}</th>
              <th>{t('Pane')}</th>
              <th>{t('Kind')}</th>
              <th>{t('Text')}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((event, i) => (
              <tr key={keys[i]} data-testid="event-row">
                <td className="nowrap muted">
                  <time dateTime={event.at}>{clockTime(event.at, now)}</time>
                </td>
                <td className="nowrap">{event.pane ? (names.get(event.pane) ?? event.pane) : ''}</td>
                <td className="nowrap">{event.kind}</td>
                <td>{event.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
});
