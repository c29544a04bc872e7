// The partitioned-workers rows of `npm run bench` (issue 11, checker/search/partition.ts): each worker owns a slice of
// the visited set in its own Wasm memory (up to 4 GiB each). bench/run.ts measures each row with bench/child.ts
// (one process: the workers are its threads, so the child's peak RSS is the whole tree's) and the summary reports
// the 1 vs 2 worker speedup on big and, on huge (>= 100 M states, more than one 4 GiB memory holds), states,
// seconds, peak RSS and bytes per state.

export interface PartitionRun {
  name: string;
  file: string;
  variant: string;
  mode: string;
  options: Record<string, unknown>;
  workers: number;
  /** The 15 M-state scenario: skipped by --quick. */
  big: boolean;
  /** The 100 M-state scenario (about 20 to 35 minutes, 8.3 GiB): skipped by --quick and --no-huge. */
  huge: boolean;
}

const PLAIN = { strategy: 'bfs', por: false, symmetry: false, storage: 'collapse' };

export const PARTITION_RUNS: PartitionRun[] = [
  {
    name: 'big collapse partitioned 2 workers',
    file: 'bench/big.fdr',
    variant: 'v6.2',
    mode: 'collapse, 2 partitioned workers',
    options: { ...PLAIN, partition: true },
    workers: 2,
    big: true,
    huge: false,
  },
  {
    name: 'huge collapse partitioned 2 workers',
    file: 'bench/huge.fdr',
    variant: 'v6.2',
    mode: 'collapse, 2 partitioned workers (lossless, > 4 GiB)',
    options: { ...PLAIN, partition: true },
    workers: 2,
    big: true,
    huge: true,
  },
];

interface Measured {
  name: string;
  states: number;
  seconds: number;
  verdict: string;
  rss?: number;
}

export interface PartitionSummary {
  /** Search seconds of one worker / of 2 partitioned workers on big (the target: >= 1.7). */
  speedupBig: number | null;
  verdictEqualBig: boolean | null;
  statesEqualBig: boolean | null;
  /** huge on 2 partitioned workers: states stored, search seconds, peak RSS (bytes) and RSS per state. */
  huge: { states: number; seconds: number; rss: number | null; bytesPerState: number | null; verdict: string } | null;
}

/** The name of bench/run.ts's one-worker collapse run on big.fdr: the baseline of the partitioned speedup (the same
 *  search with one engine instance). */
export const PARTITION_BASELINE = 'big collapse';

/** The summary of the measured partition rows (rows missing from `runs` give nulls). */
export function partitionSummary(runs: readonly Measured[]): PartitionSummary {
  const get = (name: string) => runs.find((r) => r.name === name);
  const one = get(PARTITION_BASELINE);
  const two = get(PARTITION_RUNS[0]!.name);
  const huge = get(PARTITION_RUNS[1]!.name);
  return {
    speedupBig: one && two ? one.seconds / two.seconds : null,
    verdictEqualBig: one && two ? one.verdict === two.verdict : null,
    statesEqualBig: one && two ? one.states === two.states : null,
    huge: huge
      ? {
          states: huge.states,
          seconds: huge.seconds,
          rss: huge.rss ?? null,
          bytesPerState: huge.rss ? huge.rss / huge.states : null,
          verdict: huge.verdict,
        }
      : null,
  };
}
