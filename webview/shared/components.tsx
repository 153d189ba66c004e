import { createContext, memo, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ConnectionStatus } from './connection';
import { translate, type MessageKey, type Translate } from './i18n';
import { ageMs, clockTime, createClock, shortDuration } from './time';

export interface Words {
  t: Translate;
  language: string;
}

export const WordsContext = createContext<Words>({ t: translate('en'), language: 'en' });

export function useWords(): Words {
  return useContext(WordsContext);
}

const clock = createClock(1000);

/** Re-renders only when the text it shows changes, however often the clock ticks. */
function useClockText(format: (now: number) => string): string {
  return useSyncExternalStore(clock.subscribe, () => format(Date.now()));
}

/** `3m`: how long since `since`, kept current. */
export const Age = memo(function Age({ since }: { since: string }) {
  const { t } = useWords();
  return <>{useClockText((now) => shortDuration(t, ageMs(since, now)))}</>;
});

/** `3m ago`, with the wall-clock time as a tooltip. */
export const Ago = memo(function Ago({ at }: { at: string }) {
  const { t } = useWords();
  const text = useClockText((now) => t('{0} ago', shortDuration(t, ageMs(at, now))));
  return (
    <time dateTime={at} title={clockTime(at, Date.now())}>
      {text}
    </time>
  );
});

interface ActionButtonProps {
  onAct: () => void;
  disabled?: boolean;
  secondary?: boolean;
  icon?: string;
  spin?: boolean;
  /** Shown as a tooltip and read by screen readers; the only label of an icon-only button. */
  label?: string;
  iconOnly?: boolean;
  testId?: string;
  className?: string;
  children?: ReactNode;
}

/**
 * A `<vscode-button>` whose `disabled` really prevents the action: the component only stops the pointer (its
 * CSS), so the handler checks again, and `aria-disabled` tells assistive technology and Playwright (which then
 * waits instead of clicking).
 */
export function ActionButton(props: ActionButtonProps): React.JSX.Element {
  const disabled = props.disabled ?? false;
  return (
    <vscode-button
      data-testid={props.testId}
      className={props.className}
      disabled={disabled}
      aria-disabled={disabled ? 'true' : 'false'}
      secondary={props.secondary ?? false}
      icon={props.icon ?? ''}
      iconSpin={props.spin ?? false}
      iconOnly={props.iconOnly ?? false}
      title={props.label}
      aria-label={props.label}
      onClick={(event) => {
        event.stopPropagation();
        if (!disabled) props.onAct();
      }}
    >
      {props.children}
    </vscode-button>
  );
}

/**
 * A codicon drawn from the page's codicon stylesheet (elements.ts links it): a plain span, where `<vscode-icon>`
 * would cost a custom element, a shadow root and a stylesheet link per icon (measured: 500 of them in the
 * dashboard's rows doubled its first render).
 */
export function Icon({ name, spin }: { name: string; spin?: boolean }): React.JSX.Element {
  return (
    <span className={`codicon codicon-${name}${spin ? ' codicon-modifier-spin' : ''}`} aria-hidden="true" />
  );
}

/**
 * An icon-only action as VS Code draws inline actions in its lists (transparent until hovered). A native button:
 * rows repeat it hundreds of times, and `disabled` then needs no help.
 */
export function IconButton(props: {
  icon: string;
  label: string;
  onAct: () => void;
  disabled?: boolean;
  spin?: boolean;
  testId?: string;
}): React.JSX.Element {
  return (
    <button
      type="button"
      className="icon-button"
      data-testid={props.testId}
      title={props.label}
      aria-label={props.label}
      disabled={props.disabled ?? false}
      onClick={(event) => {
        event.stopPropagation();
        if (!props.disabled) props.onAct();
      }}
    >
      <Icon name={props.icon} {...(props.spin ? { spin: true } : {})} />
    </button>
  );
}

const stateWords: Record<ConnectionStatus['state'], MessageKey> = {
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'disconnected',
  reconnecting: 'reconnecting',
};

function RetryCountdown({ at }: { at: number }): React.JSX.Element {
  const { t } = useWords();
  return <>{useClockText((now) => t('retry in {0}', shortDuration(t, Math.max(0, at - now) + 999)))}</>;
}

/**
 * The connection badge, the Retry button and, while the host does not answer, the note that what is shown may
 * be out of date.
 */
export function ConnectionBar(props: {
  status: ConnectionStatus;
  onRetry: () => void;
  /** The time of the snapshot on screen when it is not fresh from the host. */
  staleSince?: string;
}): React.JSX.Element {
  const { t } = useWords();
  const { state, lastError, nextRetryAt } = props.status;
  const busy = state === 'connecting' || state === 'reconnecting';
  return (
    <div className={`connection connection-${state}`} role="status">
      <vscode-badge data-testid="connection" data-state={state} className="connection-badge">
        {t(stateWords[state])}
      </vscode-badge>
      {busy ? <vscode-progress-ring className="connection-ring" aria-hidden="true" /> : null}
      {state === 'disconnected' && nextRetryAt !== undefined ? (
        <span className="muted">
          <RetryCountdown at={nextRetryAt} />
        </span>
      ) : null}
      {state !== 'connected' ? (
        <ActionButton testId="retry" secondary icon="refresh" onAct={props.onRetry}>
          {t('Retry')}
        </ActionButton>
      ) : null}
      {state !== 'connected' && lastError ? (
        <span className="connection-error" title={lastError.code}>
          {t('FleetAI does not answer: {0}', lastError.message)}
        </span>
      ) : null}
      {props.staleSince !== undefined ? (
        <span className="stale-note">
          {t(
            'Showing the last known state from {0}; it may be out of date.',
            clockTime(props.staleSince, Date.now()),
          )}
        </span>
      ) : null}
    </div>
  );
}
