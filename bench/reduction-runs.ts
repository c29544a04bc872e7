// The transaction-reduction rows of `npm run bench` (issue 11, checker/wasm/transaction.ts): each is measured
// against the unreduced run of the same scenario and storage that run.ts already makes (`baseline`), and the
// summary reports states and time, unreduced / reduced, with the verdicts compared.

export interface ReductionRun {
  name: string;
  file: string;
  variant: string;
  mode: string;
  options: Record<string, unknown>;
  /** Name of the unreduced run (bench/run.ts) this one is compared with. */
  baseline: string;
  /** Part of the 14 M-state scenario: skipped by --quick. */
  big: boolean;
}

const TX = { strategy: 'bfs', por: false, symmetry: false, transactions: true };

export const REDUCTION_RUNS: ReductionRun[] = [
  {
    name: 'medium full +transactions',
    file: 'bench/medium.fdr',
    variant: 'v6.2',
    mode: 'full, transactions',
    options: { ...TX, storage: 'full' },
    baseline: 'medium full',
    big: false,
  },
  {
    name: 'medium fingerprint +transactions',
    file: 'bench/medium.fdr',
    variant: 'v6.2',
    mode: 'fingerprint, transactions',
    options: { ...TX, storage: 'fingerprint' },
    baseline: 'medium fingerprint',
    big: false,
  },
  {
    name: 'big fingerprint +transactions',
    file: 'bench/big.fdr',
    variant: 'v6.2',
    mode: 'fingerprint, transactions',
    options: { ...TX, storage: 'fingerprint' },
    baseline: 'big fingerprint',
    big: true,
  },
  {
    name: 'big collapse +transactions',
    file: 'bench/big.fdr',
    variant: 'v6.2',
    mode: 'collapse, transactions',
    options: { ...TX, storage: 'collapse' },
    baseline: 'big collapse',
    big: true,
  },
  {
    name: 'big collapse +transactions+por',
    file: 'bench/big.fdr',
    variant: 'v6.2',
    mode: 'collapse, transactions, por',
    options: { ...TX, storage: 'collapse', por: true },
    baseline: 'big collapse',
    big: true,
  },
  {
    name: 'big fingerprint +transactions+por+symmetry',
    file: 'bench/big.fdr',
    variant: 'v6.2',
    mode: 'fingerprint, transactions, reduced',
    options: { ...TX, storage: 'fingerprint', por: true, symmetry: true },
    baseline: 'big fingerprint',
    big: true,
  },
];

interface Measured {
  name: string;
  states: number;
  seconds: number;
  verdict: string;
}

export interface ReductionRatio {
  name: string;
  baseline: string;
  states: number;
  baselineStates: number;
  /** Unreduced states / reduced states (the target: >= 20 on big.fdr). */
  statesRatio: number;
  /** Unreduced time / reduced time. */
  timeRatio: number;
  verdictEqual: boolean;
}

/** Ratios of every measured reduction run to its baseline (runs missing from `runs` are left out). */
export function reductionRatios(runs: readonly Measured[]): ReductionRatio[] {
  const out: ReductionRatio[] = [];
  for (const r of REDUCTION_RUNS) {
    const red = runs.find((x) => x.name === r.name);
    const base = runs.find((x) => x.name === r.baseline);
    if (!red || !base) continue;
    out.push({
      name: r.name,
      baseline: r.baseline,
      states: red.states,
      baselineStates: base.states,
      statesRatio: base.states / red.states,
      timeRatio: base.seconds / red.seconds,
      verdictEqual: red.verdict === base.verdict,
    });
  }
  return out;
}
