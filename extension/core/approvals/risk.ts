import { z } from 'zod';

/** How much harm a command can do, in increasing order. */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISK_LEVELS)[number];
export const RiskSchema = z.enum(RISK_LEVELS);

export function riskRank(risk: Risk): number {
  return RISK_LEVELS.indexOf(risk);
}

export function maxRisk(...risks: Risk[]): Risk {
  let best: Risk = 'low';
  for (const risk of risks) if (riskRank(risk) > riskRank(best)) best = risk;
  return best;
}

export function isAtLeast(risk: Risk, floor: Risk): boolean {
  return riskRank(risk) >= riskRank(floor);
}
