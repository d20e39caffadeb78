/** One thing being measured in a case (direct, nginx-proxy, ferry ...). */
export interface Variant<T> {
  name: string;
  run(round: number): Promise<T>;
}

/**
 * Runs the variants interleaved, A B C A B C: one warm-up round whose figures are dropped, then `rounds`
 * measured rounds. On a shared machine, drift then affects every variant alike and ratios stay comparable.
 */
export async function interleave<T>(variants: Variant<T>[], o: { rounds: number; warmup?: number; label: string },
  log: (line: string) => void): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  const warm = o.warmup ?? 1;
  for (let r = -warm; r < o.rounds; r++) {
    for (const v of variants) {
      const result = await v.run(r);
      if (r >= 0) out[v.name]!.push(result);
      log(`${o.label} ${r < 0 ? 'warm-up' : `round ${r + 1}/${o.rounds}`} ${v.name}: ${summary(result)}`);
    }
  }
  return out;
}

function summary(x: unknown): string {
  if (x && typeof x === 'object') {
    return Object.entries(x as Record<string, unknown>).filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : (v as number).toFixed(2)}`).join(' ');
  }
  return String(x);
}
