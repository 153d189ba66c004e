import { memo, useSyncExternalStore } from 'react';
import type { McpServersView, McpServerView } from '../../extension/protocol/messages';
import { useWords } from '../shared/components';
import { mcpStateText } from '../shared/words';
import { createClock, shortDuration } from '../shared/time';
import { retryRemainingMs } from './model';

const clock = createClock(1000);

/**
 * The window's MCP servers (the MCP Servers view's picture): state, transport, tools, last error, and while one
 * reconnects a countdown to its next attempt that the page ticks itself between the host's snapshots.
 */
export const McpServers = memo(function McpServers({ mcp }: { mcp: McpServersView }) {
  const { t } = useWords();
  return (
    <section className="mcp" data-testid="mcp-servers">
      <h2>{t('MCP servers')}</h2>
      {mcp.fileProblems.map((problem) => (
        <p key={problem} className="mcp-file-problem" data-testid="mcp-file-problem">
          {problem}
        </p>
      ))}
      {mcp.servers.length === 0 ? (
        <p className="muted">{t('No MCP servers are configured. Add them to .fleetai/mcp.servers.json.')}</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>{t('Server')}</th>
              <th>{t('State')}</th>
              <th>{t('Transport')}</th>
              <th>{t('Tools')}</th>
              <th>{t('Last error')}</th>
            </tr>
          </thead>
          <tbody>
            {mcp.servers.map((server) => (
              <McpServerRow key={server.alias} server={server} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
});

const McpServerRow = memo(function McpServerRow({ server }: { server: McpServerView }) {
  const { t } = useWords();
  const trouble = server.problem ?? (server.state === 'connected' ? undefined : server.lastError);
  return (
    <tr
      data-testid="mcp-row"
      data-alias={server.alias}
      data-state={server.state}
      className={`mcp-row mcp-${server.state}`}
    >
      <td className="nowrap">
        <strong>{server.alias}</strong>
        {server.sessionDisabled ? <span className="muted"> ({t('turned off for this session')})</span> : null}
      </td>
      <td className="nowrap">
        <span className="mcp-state" data-testid="mcp-state">
          {t(mcpStateText[server.state])}
        </span>
        {server.nextRetryAt ? (
          <>
            {' '}
            <RetryCountdown at={server.nextRetryAt} />
          </>
        ) : null}
      </td>
      <td className="nowrap">{server.transport ?? ''}</td>
      <td data-testid="mcp-tools">{server.state === 'connected' ? server.tools : ''}</td>
      <td className="mcp-error" data-testid="mcp-error">
        {trouble ?? ''}
      </td>
    </tr>
  );
});

/** "next attempt in 7s", counted down once a second in the page (only this text re-renders). */
function RetryCountdown({ at }: { at: string }): React.JSX.Element {
  const { t } = useWords();
  const read = (): string => {
    const ms = retryRemainingMs(at, Date.now()) ?? 0;
    return ms > 0 ? t('next attempt in {0}', shortDuration(t, ms)) : t('next attempt now');
  };
  // The same reading for a static render (the unit test's), which has no clock to subscribe to.
  const text = useSyncExternalStore(clock.subscribe, read, read);
  return (
    <span className="muted mcp-retry" data-testid="mcp-retry">
      {text}
    </span>
  );
}
