import { useCallback, useMemo, useRef, useState } from 'react';
import type { ApprovalsSnapshot } from '../../extension/protocol/messages';
import { ActionButton, ConnectionBar, WordsContext } from '../shared/components';
import { isConnectionError } from '../shared/connection';
import { toggleId } from '../shared/uiState';
import { useHostView, type StartedView } from '../shared/useHostView';
import { firstPage, useIncremental } from '../shared/useIncremental';
import { riskText, supervisorModeText } from '../shared/words';
import { ApprovalRow } from './ApprovalRow';
import { canAnswer, oldestFirst, outcomeOf, paneOptions, RISKS, rowsToShow, type Held } from './model';

export function App({ started }: { started: StartedView<ApprovalsSnapshot> }): React.JSX.Element {
  const view = useHostView(started);
  const { t, language, snapshot, connected, ui, setUi, request } = view;
  const words = useMemo(() => ({ t, language }), [t, language]);
  const [held, setHeld] = useState<Record<string, Held>>({});

  const pending = useMemo(() => (snapshot ? oldestFirst(snapshot.pending) : []), [snapshot]);
  const rows = useMemo(() => rowsToShow(pending, held, ui.filter), [pending, held, ui.filter]);
  const panes = useMemo(() => paneOptions(pending, ui.filter.pane), [pending, ui.filter.pane]);
  const excerpts = useMemo(() => new Set(ui.excerpts), [ui.excerpts]);
  const [initialRows] = useState(() => firstPage(ui.scrollY, window.innerHeight, 120, 30));
  const { count, sentinel } = useIncremental(rows.length, { initial: initialRows, step: 50 });

  // The callbacks read the latest queue and notes through a ref, so they keep one identity and the memoised
  // rows are not all rendered again on every keystroke or snapshot.
  const latest = useRef({ pending, notes: ui.notes });
  latest.current = { pending, notes: ui.notes };

  const onNote = useCallback(
    (id: string, text: string) => setUi((u) => ({ ...u, notes: { ...u.notes, [id]: text } })),
    [setUi],
  );
  const onToggleExcerpt = useCallback(
    (id: string, open: boolean) => setUi((u) => ({ ...u, excerpts: toggleId(u.excerpts, id, open) })),
    [setUi],
  );
  const onDismiss = useCallback((id: string) => {
    setHeld((h) => {
      const { [id]: _gone, ...rest } = h;
      return rest;
    });
  }, []);
  const onDecide = useCallback(
    (id: string, decision: 'approve' | 'deny') => {
      const approval = latest.current.pending.find((a) => a.id === id);
      if (!approval) return;
      const note = (latest.current.notes[id] ?? '').trim();
      setHeld((h) => ({ ...h, [id]: { approval, outcome: { kind: 'sending', decision } } }));
      void request('approvals.decide', { id, decision, ...(note ? { note } : {}) }).then((result) => {
        const outcome = outcomeOf(decision, result, isConnectionError);
        setHeld((h) => ({ ...h, [id]: { approval, outcome } }));
        if (outcome.kind === 'done' || outcome.kind === 'refused') {
          setUi((u) => {
            const { [id]: _sent, ...notes } = u.notes;
            return { ...u, notes };
          });
        }
      });
    },
    [request, setUi],
  );

  const stale = snapshot !== undefined && (!view.fresh || !connected);
  const filtered = ui.filter.pane !== '' || ui.filter.risk !== '';
  return (
    <WordsContext.Provider value={words}>
      <main
        data-testid="approvals"
        data-rendered={view.fresh ? 'true' : undefined}
        className={stale ? 'stale' : undefined}
      >
        <header className="top">
          <h1 data-testid="approvals-title">{t('FleetAI Approvals')}</h1>
          <vscode-badge variant="counter" data-testid="pending-count" title={t('Pending approvals')}>
            {pending.length}
          </vscode-badge>
          <span className="spacer" />
          <ActionButton
            testId="show-dashboard"
            secondary
            icon="dashboard"
            disabled={!connected}
            onAct={() => void request('host.showDashboard', {})}
          >
            {t('Show the dashboard')}
          </ActionButton>
        </header>
        <ConnectionBar
          status={view.status}
          onRetry={view.retry}
          {...(stale ? { staleSince: snapshot.updatedAt } : {})}
        />
        {snapshot ? (
          <>
            <p className={`supervisor mode-${snapshot.supervisor.mode}`}>
              <span className="label">{t('Supervisor')}</span>
              <span>{supervisorModeText(t, snapshot.supervisor)}</span>
              {snapshot.supervisor.dryRun ? <span className="dry-run"> · {t('dry run')}</span> : null}
            </p>
            <div className="filters" role="search">
              <label>
                <span className="label">{t('Filter by pane')}</span>
                <select
                  data-testid="filter-pane"
                  value={ui.filter.pane}
                  onChange={(e) => {
                    const pane = e.target.value;
                    setUi((u) => ({ ...u, filter: { ...u.filter, pane } }));
                  }}
                >
                  <option value="">{t('All panes')}</option>
                  {panes.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span className="label">{t('Filter by risk')}</span>
                <select
                  data-testid="filter-risk"
                  value={ui.filter.risk}
                  onChange={(e) => {
                    const risk = e.target.value;
                    setUi((u) => ({ ...u, filter: { ...u.filter, risk } }));
                  }}
                >
                  <option value="">{t('All risks')}</option>
                  {RISKS.map((r) => (
                    <option key={r} value={r}>
                      {t(riskText[r])}
                    </option>
                  ))}
                </select>
              </label>
              <span className="muted" data-testid="showing">
                {filtered
                  ? t('Showing {0} of {1}', rows.filter((r) => r.pending).length, pending.length)
                  : ''}
                {filtered ? ' · ' : ''}
                {t('oldest first')}
              </span>
            </div>
            {pending.length === 0 ? (
              <p className="empty muted" data-testid="approvals-empty">
                {t('Nothing is waiting for your approval.')}
              </p>
            ) : null}
            <section className="approval-list" aria-label={t('Pending approvals')}>
              {rows.slice(0, count).map((row) => (
                <ApprovalRow
                  key={row.approval.id}
                  approval={row.approval}
                  outcome={row.outcome}
                  answerable={canAnswer(row)}
                  canAct={connected}
                  note={ui.notes[row.approval.id] ?? ''}
                  excerptOpen={excerpts.has(row.approval.id)}
                  onNote={onNote}
                  onToggleExcerpt={onToggleExcerpt}
                  onDecide={onDecide}
                  onDismiss={onDismiss}
                />
              ))}
              {count < rows.length ? <div ref={sentinel} className="more" aria-hidden="true" /> : null}
            </section>
          </>
        ) : (
          <p className="muted">{t('Waiting for FleetAI…')}</p>
        )}
      </main>
    </WordsContext.Provider>
  );
}
