// The DPOR rows of `npm run bench` (issue 11, checker/wasm/dpor.ts): dfs without reduction, dfs with ample sets
// (both without symmetry, which DPOR does not combine with), and dfs with stateful and stateless DPOR, on the
// same scenario and storage. Each reduced row is compared with its `baseline` row of this same list. bench/run.ts
// measures these rows with its `measure` (each in a child process) and prints dporRatios(runs); this file also
// runs on its own:  node --import tsx bench/dpor-runs.ts [--big]  (one child per row, JSON lines on stdout).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DporRun {
  name: string;
  file: string;
  variant: string;
  mode: string;
  options: Record<string, unknown>;
  /** Name of the row (of DPOR_RUNS) this one is compared with; none for the baselines themselves. */
  baseline?: string;
  limits?: { maxStates?: number; timeoutSeconds?: number };
  /** Part of the 15 M-state scenario: measured by bench/run.ts only with --all. */
  big: boolean;
}

// big.fdr's 15 M states do not fit in 4 GiB as whole states: its rows use collapse storage (as exact).
const DFS = { strategy: 'dfs', symmetry: false };
// The stateless walk repeats every path to a state: bounded so that a run ends (incomplete beyond it; medium's
// walk passes 20 M states reached after about 6 minutes without finishing).
const WALK = { maxStates: 2_000_000, timeoutSeconds: 120 };

function rows(scenario: 'medium' | 'big'): DporRun[] {
  const file = `bench/${scenario}.fdr`;
  const big = scenario === 'big';
  const st = big ? 'collapse' : 'full';
  const base = `${scenario} dfs ${st}`;
  const DFS_S = { ...DFS, storage: st };
  return [
    { name: base, file, variant: 'v6.2', mode: `dfs ${st}`, options: { ...DFS_S, por: false }, big },
    { name: `${base} +por`, file, variant: 'v6.2', mode: `dfs ${st}, ample sets`, options: { ...DFS_S, por: true }, baseline: base, big },
    { name: `${base} +dpor`, file, variant: 'v6.2', mode: `dfs ${st}, stateful DPOR`, options: { ...DFS_S, dpor: 'stateful' }, baseline: base, big },
    {
      name: `${scenario} dfs +dpor-stateless`,
      file,
      variant: 'v6.2',
      mode: 'dfs, stateless DPOR',
      options: { ...DFS, storage: 'full', dpor: 'stateless' },
      baseline: base,
      limits: WALK,
      big,
    },
  ];
}

export const DPOR_RUNS: DporRun[] = [...rows('medium'), ...rows('big')];

interface Measured {
  name: string;
  states: number;
  seconds: number;
  verdict: string;
  /** search.reductions.dpor.traces of the run, when it is a DPOR run. */
  traces?: number;
}

export interface DporRatio {
  name: string;
  baseline: string;
  states: number;
  baselineStates: number;
  traces?: number;
  /** Baseline states / states (stateless: states reached, with repetitions). */
  statesRatio: number;
  /** Baseline time / time. */
  timeRatio: number;
  verdictEqual: boolean;
}

/** Ratios of every measured DPOR row to its baseline (rows missing from `runs` are left out). */
export function dporRatios(runs: readonly Measured[]): DporRatio[] {
  const out: DporRatio[] = [];
  for (const r of DPOR_RUNS) {
    const red = runs.find((x) => x.name === r.name);
    const base = runs.find((x) => x.name === r.baseline);
    if (!r.baseline || !red || !base) continue;
    out.push({
      name: r.name,
      baseline: r.baseline,
      states: red.states,
      baselineStates: base.states,
      ...(red.traces !== undefined ? { traces: red.traces } : {}),
      statesRatio: base.states / red.states,
      timeRatio: base.seconds / red.seconds,
      verdictEqual: red.verdict === base.verdict,
    });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const withBig = process.argv.includes('--big');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const runs: Measured[] = [];
  for (const r of DPOR_RUNS) {
    if ((r.big && !withBig) || (only && !r.name.includes(only))) continue;
    const job = JSON.stringify({ file: join(root, r.file), variant: r.variant, options: r.options, limits: r.limits ?? {} });
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'child.ts'), job], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    const j = JSON.parse(p.stdout.trim().split('\n').pop()!) as {
      verdict: string;
      incomplete: string | null;
      stats: { states: number; transitions: number; seconds: number };
      search?: { reductions?: { dpor?: { traces: number } } };
    };
    const m: Measured = { name: r.name, states: j.stats.states, seconds: j.stats.seconds ?? seconds, verdict: j.verdict };
    if (j.search?.reductions?.dpor) m.traces = j.search.reductions.dpor.traces;
    runs.push(m);
    console.log(JSON.stringify({ ...m, transitions: j.stats.transitions, incomplete: j.incomplete }));
  }
  for (const q of dporRatios(runs)) console.log(JSON.stringify(q));
}
