import type { Risk } from './paneMetadata';

export const RISK_ORDER: Risk[] = ['low', 'medium', 'high', 'critical'];

/** The stricter of two risks (`b` may be missing). */
export const stricter = (a: Risk, b: Risk | undefined): Risk =>
  b && RISK_ORDER.indexOf(b) > RISK_ORDER.indexOf(a) ? b : a;
