/** One line of a doctor report; `fail` makes the report fail (and `fleet doctor` exit 1). */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  status: CheckStatus;
  summary: string;
  detail?: string;
}
