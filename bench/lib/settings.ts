/** How big and how long: the full run, or `--quick` for a smoke check in a couple of minutes. */
export interface Settings {
  quick: boolean;
  rounds: number;
  /** Seconds per small-object trial. */
  opsSeconds: number;
  concurrency: number;
  bigBytes: number;
  lag: { perSecond: number; seconds: number; size: number };
  /** Small changes at a high rate (the `lag-small` case). */
  lagSmall: { perSecond: number; seconds: number; size: number; shipperConcurrency: number };
  backfill: { objects: number; size: number; concurrency: number; rounds: number };
  memory: { bigBytes: number; smallBytes: number; rounds: number };
  journal: { seconds: number; writers: number[] };
  /** The journal-history case: rows of the filled journal (`--history-rows=N`), `--refill`, `--history-verify`. */
  history: { rows: number; refill: boolean; verify: boolean };
  /** Start Ferry with --cpu-prof (profiles land in bench/tmp/profiles). */
  profile: boolean;
  only?: string[];
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export function settings(args: string[]): Settings {
  const quick = args.includes('--quick');
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  return {
    quick,
    rounds: 3,
    opsSeconds: quick ? 2 : 4,
    concurrency: 16,
    bigBytes: quick ? 128 * MiB : GiB,
    lag: { perSecond: 10, seconds: quick ? 15 : 60, size: 2_000_000 },
    lagSmall: { perSecond: 500, seconds: quick ? 15 : 60, size: 4096, shipperConcurrency: 32 },
    backfill: { objects: quick ? 500 : 5000, size: 64 * 1024, concurrency: 8, rounds: quick ? 1 : 3 },
    memory: { bigBytes: quick ? 512 * MiB : 2 * GiB, smallBytes: 20 * MiB, rounds: quick ? 1 : 3 },
    journal: { seconds: quick ? 1 : 3, writers: [1, 16, 64] },
    history: {
      rows: Number(args.find((a) => a.startsWith('--history-rows='))?.slice('--history-rows='.length) ?? (quick ? 1_000_000 : 10_000_000)),
      refill: args.includes('--refill'),
      verify: args.includes('--history-verify'),
    },
    profile: args.includes('--profile'),
    only,
  };
}

/** The key of the i-th object under a prefix (the same everywhere in the bench). */
export function keyName(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(5, '0')}`;
}
