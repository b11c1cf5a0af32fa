import { scoreImpostor } from '../src/server/trust/impostor/score-impostor.js';
import { generateAccounts } from './fixtures/impostor/generate-handles.js';
import type { LabelledAccount } from './fixtures/impostor/generate-handles.js';
import type { BenchModule } from './types.js';

export const IMPOSTOR_BENCH_NOW = new Date('2026-11-23T12:00:00Z');

export interface ImpostorScore {
  recall: number;
  falseAlarmRate: number;
  misses: LabelledAccount[];
  falseAlarms: LabelledAccount[];
}

/** Recall over look-alike accounts and the share of ordinary customers flagged. */
export function scoreImpostorSet(set: readonly LabelledAccount[], now = IMPOSTOR_BENCH_NOW): ImpostorScore {
  const misses: LabelledAccount[] = [];
  const falseAlarms: LabelledAccount[] = [];
  let impostors = 0;
  let customers = 0;
  for (const a of set) {
    const verdict = scoreImpostor(a.candidate, a.brand, now);
    if (a.isImpostor) {
      impostors++;
      if (!verdict.isImpostor) misses.push(a);
    } else {
      customers++;
      if (verdict.isImpostor) falseAlarms.push(a);
    }
  }
  return {
    recall: impostors === 0 ? 0 : 1 - misses.length / impostors,
    falseAlarmRate: customers === 0 ? 0 : falseAlarms.length / customers,
    misses,
    falseAlarms,
  };
}

export const bench: BenchModule = {
  name: 'impostor',
  keys: ['impostor_recall', 'impostor_false_alarm_rate'],
  async run(ctx) {
    const set = generateAccounts(4242, 2000, 8000, IMPOSTOR_BENCH_NOW);
    const score = scoreImpostorSet(set);
    ctx.log(`impostor: ${set.length} accounts, ${score.misses.length} missed, ${score.falseAlarms.length} false alarms`);
    return {
      impostor_recall: Number(score.recall.toFixed(4)),
      impostor_false_alarm_rate: Number(score.falseAlarmRate.toFixed(4)),
    };
  },
};
