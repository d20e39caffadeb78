import { median, round } from '../lib/stats.js';

export type Figures = Record<string, number | string | undefined>;

/** Per variant, the median over rounds of each numeric figure. */
export function medians(rounds: Record<string, Figures[]>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [variant, list] of Object.entries(rounds)) {
    const names = Object.keys(list[0] ?? {}).filter((k) => typeof list[0]![k] === 'number');
    out[variant] = Object.fromEntries(names.map((k) => [k, round(median(list.map((r) => r[k] as number)), 3)]));
  }
  return out;
}

/** Median over rounds of a/b for one figure, each round's pair measured back to back. */
export function ratio(rounds: Record<string, Figures[]>, a: string, b: string, figure: string): number {
  const xs = rounds[a]!.map((r, i) => (r[figure] as number) / (rounds[b]![i]![figure] as number));
  return round(median(xs), 3);
}
