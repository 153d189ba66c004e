import { ErrorCode, FleetError } from '../errors';

/**
 * Why a remote channel could not deliver (code E_NOTIFY_CHANNEL). A failed notification is never an error for
 * the caller (the supervisor goes on); it only changes the channel's state and is logged, masked.
 */
export type FailureKind = 'missing' | 'timeout' | 'unreachable' | 'http' | 'rejected';

export class ChannelFailure extends FleetError {
  override readonly name = 'ChannelFailure';
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** HTTP status, or the service's own error code (WeCom errcode). */
    readonly status?: number,
  ) {
    super(ErrorCode.NotifyChannel, message, status === undefined ? { kind } : { kind, status });
  }
}
