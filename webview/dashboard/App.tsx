import { useEffect, useState } from 'react';
import type { ErrorPayload } from '../../extension/protocol/envelope';
import type { FleetSnapshot, HostInfo } from '../../extension/protocol/messages';
import { hostEndpoint } from '../shared/vscodeClient';
import { translator } from '../shared/i18n';

type Load =
  | { state: 'loading' }
  | { state: 'ready'; info: HostInfo; snapshot: FleetSnapshot }
  | { state: 'error'; error: ErrorPayload };

export function App(): React.JSX.Element {
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    const endpoint = hostEndpoint();
    let cancelled = false;
    void (async () => {
      const info = await endpoint.request('host.getInfo', {});
      const snapshot = await endpoint.request('fleet.getSnapshot', {});
      if (cancelled) return;
      if (!info.ok) setLoad({ state: 'error', error: info.error });
      else if (!snapshot.ok) setLoad({ state: 'error', error: snapshot.error });
      else setLoad({ state: 'ready', info: info.value, snapshot: snapshot.value });
    })();
    const sub = endpoint.on('fleet.snapshot', (snapshot) =>
      setLoad((prev) => (prev.state === 'ready' ? { ...prev, snapshot } : prev)),
    );
    return () => {
      cancelled = true;
      sub.dispose();
    };
  }, []);

  if (load.state === 'loading') {
    return <p className="muted">{translator(navigator.language)('Connecting to FleetAI…')}</p>;
  }
  if (load.state === 'error') {
    const t = translator(navigator.language);
    return (
      <div className="error" role="alert" data-testid="dashboard-error">
        <strong>{t('Could not reach the extension')}</strong>
        <code>
          {load.error.code}: {load.error.message}
        </code>
      </div>
    );
  }
  const { info, snapshot } = load;
  const t = translator(info.uiLanguage);
  return (
    <main>
      <h1 data-testid="dashboard-title">{t('FleetAI Dashboard')}</h1>
      <dl className="facts">
        <dt>{t('Version')}</dt>
        <dd data-testid="dashboard-version">
          {info.name} {info.version}
        </dd>
        <dt>{t('Editor')}</dt>
        <dd>{info.hostVersion}</dd>
        <dt>{t('Workspace')}</dt>
        <dd>{info.workspace ?? t('No folder open')}</dd>
        <dt>{t('Heartbeat')}</dt>
        <dd data-testid="dashboard-heartbeat">{t(snapshot.heartbeat)}</dd>
        <dt>{t('Agents')}</dt>
        <dd>{snapshot.panes}</dd>
        <dt>{t('Pending approvals')}</dt>
        <dd>{snapshot.pendingApprovals}</dd>
      </dl>
      <p className="muted">{t('No agents yet. Later versions show the fleet here.')}</p>
      <button type="button" onClick={() => void hostEndpoint().request('host.openLog', {})}>
        {t('Open log')}
      </button>
    </main>
  );
}
