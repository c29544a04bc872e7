// npm run bench: fixed benchmark scenarios, each measurement in a process of its own (fresh JIT, its own peak
// RSS), and the peer comparison with SPIN on the same models written by hand in Promela (bench/peers/). Prints a
// table and writes bench/results.json with a line describing the machine.
//
//   bench/medium.fdr      4 threads, ~160 k states: every storage, reductions, 1 vs 2 workers, SPIN (-DNO_T4)
//   bench/big.fdr         5 threads, ~15 M states unreduced (too big for full storage in 4 GiB): collapse (lossless),
//                         fingerprint, bitstate, reductions, 1 vs 2 workers, SPIN on big.pml (fdrace's steps) and
//                         on coarse.pml (critical-section granularity): time to verdict side by side
//   bench/huge.fdr        big.fdr plus three steps, ~127 M states: lossless on 2 partitioned workers (> 4 GiB)
//   bench/independent.fdr what the reductions are for (unrelated processes, interchangeable threads)
//   the largest scenario of the library (by unreduced states): reduction factor with the same verdict
//
// Options: --quick (skip bench/big.fdr, bench/huge.fdr and SPIN on big), --no-spin, --no-huge (skip the
// 100 M-state bench/huge.fdr on 2 partitioned workers: 20 to 35 minutes, 8.3 GiB), --all (also the big runs no target needs:
// fingerprint and bitstate storage on big, depth-first +por on big, SPIN on big.pml without reduction; about
// 25 minutes more). The default measures every figure a target in bench/README.md is stated against.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REDUCTION_RUNS, reductionRatios } from './reduction-runs.ts';
import { PARTITION_RUNS, partitionSummary } from './partition-runs.ts';
import { DPOR_RUNS, dporRatios } from './dpor-runs.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const all = args.has('--all');
const huge = !quick && !args.has('--no-huge');

interface Run {
  name: string;
  scenario: string;
  variant: string;
  mode: string;
  workers: number;
  states: number;
  transitions: number;
  seconds: number;
  statesPerSecond: number;
  transitionsPerSecond: number;
  bytesPerState: number;
  rssBytes: number;
  startupSeconds: number;
  verdict: string;
  incomplete: string | null;
  /** Wall-clock time of the whole process (start-up, compilation, search, report): the time to a verdict. */
  wallSeconds: number;
  notes?: string[];
  /** DPOR runs: the paths explored (search.reductions.dpor.traces). */
  traces?: number;
}

function child(file: string, variant: string, options: Record<string, unknown>, workers = 1, limits: Record<string, number> = {}): Omit<Run, 'name' | 'mode'> {
  const job = JSON.stringify({ file, variant, options, workers, limits });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'child.ts'), job], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 30 * 60 * 1000,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`bench child failed on ${file} ${JSON.stringify(options)}:\n${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const s = j.stats;
  return {
    scenario: file,
    variant,
    workers,
    states: s.states,
    transitions: s.transitions,
    seconds: s.seconds,
    statesPerSecond: s.statesPerSecond,
    transitionsPerSecond: s.transitionsPerSecond,
    bytesPerState: s.bytesPerState,
    rssBytes: j.rss,
    startupSeconds: s.startupSeconds ?? 0,
    verdict: j.verdict,
    incomplete: j.incomplete,
    wallSeconds,
    ...(j.search?.notes ? { notes: j.search.notes } : {}),
    ...(j.search?.reductions?.dpor ? { traces: j.search.reductions.dpor.traces } : {}),
  };
}

const runs: Run[] = [];
function measure(
  name: string,
  file: string,
  variant: string,
  mode: string,
  options: Record<string, unknown>,
  workers = 1,
  limits: Record<string, number> = {},
): Run {
  process.stderr.write(`bench: ${name} ...`);
  const r: Run = { name, mode, ...child(file, variant, options, workers, limits) };
  process.stderr.write(` ${r.states} states, ${r.seconds.toFixed(2)} s\n`);
  runs.push(r);
  return r;
}

const PLAIN = { strategy: 'bfs', por: false, symmetry: false };
const REDUCED = { strategy: 'bfs', por: true, symmetry: true };

// ---- fdrace ---------------------------------------------------------------------------------------------
const med = 'bench/medium.fdr';
const big = 'bench/big.fdr';
const ind = 'bench/independent.fdr';

const medFull = measure('medium full', med, 'v6.2', 'full', { ...PLAIN, storage: 'full' });
const medCol = measure('medium collapse', med, 'v6.2', 'collapse', { ...PLAIN, storage: 'collapse' });
const medFp = measure('medium fingerprint', med, 'v6.2', 'fingerprint', { ...PLAIN, storage: 'fingerprint' });
measure('medium bitstate', med, 'v6.2', 'bitstate', { ...PLAIN, storage: 'bitstate' });
const medRed = measure('medium full +por+symmetry', med, 'v6.2', 'full, reduced', { ...REDUCED, storage: 'full' });
const medFull2 = measure('medium full 2 workers', med, 'v6.2', 'full', { ...PLAIN, storage: 'full' }, 2);

let bigFp: Run | undefined;
let bigFp2: Run | undefined;
let bigRed: Run | undefined;
let bigCol: Run | undefined;
let bigCol2: Run | undefined;
let bigColRed: Run | undefined;
/** Candidates for fdrace's time to verdict on big.fdr (the best is compared with SPIN on coarse.pml). */
const bigVerdictRuns: Run[] = [];
if (!quick) {
  // Lossless: the 15 M states do not fit in 4 GiB as whole states (full storage), they do as component vectors.
  bigCol = measure('big collapse', big, 'v6.2', 'collapse', { ...PLAIN, storage: 'collapse' });
  bigCol2 = measure('big collapse 2 workers', big, 'v6.2', 'collapse', { ...PLAIN, storage: 'collapse' }, 2);
  bigVerdictRuns.push(bigCol, bigCol2);
  for (const r of PARTITION_RUNS) if (!r.huge) bigVerdictRuns.push(measure(r.name, r.file, r.variant, r.mode, r.options, r.workers));
  if (all) {
    bigColRed = measure('big collapse +por+symmetry', big, 'v6.2', 'collapse, reduced', { ...REDUCED, storage: 'collapse' });
    bigVerdictRuns.push(bigColRed);
    bigVerdictRuns.push(
      measure('big dfs collapse +por+symmetry', big, 'v6.2', 'collapse, reduced', { strategy: 'dfs', por: true, symmetry: true, storage: 'collapse' }),
    );
    bigFp = measure('big fingerprint', big, 'v6.2', 'fingerprint', { ...PLAIN, storage: 'fingerprint' });
    bigFp2 = measure('big fingerprint 2 workers', big, 'v6.2', 'fingerprint', { ...PLAIN, storage: 'fingerprint' }, 2);
    measure('big bitstate', big, 'v6.2', 'bitstate', { ...PLAIN, storage: 'bitstate' });
    bigRed = measure('big fingerprint +por+symmetry', big, 'v6.2', 'fingerprint, reduced', { ...REDUCED, storage: 'fingerprint' });
    bigVerdictRuns.push(bigFp, bigFp2, bigRed);
  }
}
for (const r of REDUCTION_RUNS) {
  // A row whose unreduced baseline was not measured (--quick, or a big run only --all makes) says nothing.
  if ((r.big && quick) || !runs.some((x) => x.name === r.baseline)) continue;
  const m = measure(r.name, r.file, r.variant, r.mode, r.options);
  if (r.file === big) bigVerdictRuns.push(m);
}
if (!quick) {
  // The reduced search on both cores: the fastest lossless route to big's verdict.
  const o = REDUCTION_RUNS.find((r) => r.name === 'big collapse +transactions')!;
  bigVerdictRuns.push(measure(`${o.name} 2 workers`, o.file, o.variant, o.mode, o.options, 2));
}
for (const r of DPOR_RUNS) if (!r.big || all) measure(r.name, r.file, r.variant, r.mode, r.options, 1, r.limits ?? {});
for (const r of PARTITION_RUNS) if (r.huge && huge) measure(r.name, r.file, r.variant, r.mode, r.options, r.workers);
const indPlain = measure('independent', ind, 'v6.2', 'full', { ...PLAIN, storage: 'full' });
const indRed = measure('independent +por+symmetry', ind, 'v6.2', 'full, reduced', { ...REDUCED, storage: 'full' });

// The largest library scenario x variant by unreduced states (from the library's own expectations, measured).
const LIB = { file: 'scenarios/F08-epoll-close-during-replace.fdr', variant: 'rfc-v7' };
const libPlain = measure('library largest', LIB.file, LIB.variant, 'full', { ...PLAIN, storage: 'full' });
const libRed = measure('library largest +por+symmetry', LIB.file, LIB.variant, 'full, reduced', { ...REDUCED, storage: 'full' });

// ---- SPIN -----------------------------------------------------------------------------------------------
interface Spin {
  name: string;
  model: string;
  flags: string;
  /** spin -a, gcc and pan, end to end: the time to a verdict. */
  wallSeconds: number;
  states: number;
  transitions: number;
  seconds: number;
  statesPerSecond: number;
  memoryBytes: number;
  stateVector: number;
  errors: number;
}
const spins: Spin[] = [];
let spinVersion: string | null = null;
function haveSpin(): boolean {
  try {
    spinVersion = execFileSync('spin', ['-V'], { encoding: 'utf8' }).trim();
    execFileSync('gcc', ['--version'], { encoding: 'utf8' });
    return true;
  } catch {
    return false;
  }
}
function runSpin(name: string, defines: string[], cflags: string[], panArgs: string[], model = 'big.pml'): Spin {
  process.stderr.write(`bench: SPIN ${name} ...`);
  const dir = mkdtempSync(join(tmpdir(), 'fdrace-spin-'));
  copyFileSync(join(root, 'bench', 'peers', model), join(dir, model));
  const t0 = performance.now();
  execFileSync('spin', ['-a', ...defines, model], { cwd: dir, stdio: 'ignore' });
  execFileSync('gcc', ['-O2', '-DSAFETY', ...cflags, '-o', 'pan', 'pan.c'], { cwd: dir, stdio: 'ignore' });
  const out = spawnSync('./pan', panArgs, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
  const wallSeconds = (performance.now() - t0) / 1000;
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const s: Spin = {
    name,
    model,
    flags: [...defines, ...cflags, ...panArgs].join(' '),
    wallSeconds,
    states: num(/(\d+) states, stored/),
    transitions: num(/(\d+) transitions \(= stored\+matched\)/),
    seconds: num(/elapsed time ([\d.e+]+) seconds/),
    statesPerSecond: num(/rate\s+([\d.e+]+) states\/second/),
    memoryBytes: num(/([\d.]+)\s+total actual memory usage/) * 2 ** 20,
    stateVector: num(/State-vector (\d+) byte/),
    errors: num(/errors: (\d+)/),
  };
  process.stderr.write(` ${s.states} states, ${s.seconds} s\n`);
  spins.push(s);
  return s;
}
let spinMed: Spin | undefined;
let spinBig: Spin | undefined;
let spinCoarse: Spin | undefined;
let _spinMedPor: Spin | undefined;
if (!args.has('--no-spin') && haveSpin()) {
  spinMed = runSpin('medium (full states, no reduction)', ['-DNO_T4'], ['-DNOREDUCE'], ['-m1000', '-w24']);
  _spinMedPor = runSpin('medium (full states, SPIN partial-order reduction)', ['-DNO_T4'], [], ['-m1000', '-w24']);
  if (!quick && all) spinBig = runSpin('big (full states, no reduction)', [], ['-DNOREDUCE'], ['-m1000', '-w27']);
  // big.fdr as a kernel developer would write it: atomic critical sections, SPIN's defaults (partial-order
  // reduction on), reference conservation and use-after-free asserts after every step.
  spinCoarse = runSpin('coarse.pml (critical sections, SPIN defaults)', [], [], ['-m100000'], 'coarse.pml');
} else if (!args.has('--no-spin')) {
  process.stderr.write('bench: SPIN is not installed (apt-get install -y spin): the peer comparison is skipped\n');
}

// ---- report ---------------------------------------------------------------------------------------------
const fmt = new Intl.NumberFormat('en-US');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  os: `${platform()} ${release()}`,
  node: process.version,
  spin: spinVersion,
};
const line = `${machine.cpu}, ${machine.cores} cores, ${machine.memory}, ${machine.os}, node ${machine.node}${spinVersion ? `, ${spinVersion}` : ''}`;

const table = [
  ['run', 'states', 'transitions', 's', 'wall s', 'states/s', 'transitions/s', 'B/state', 'peak RSS'],
  ...runs.map((r) => [
    r.name,
    fmt.format(r.states),
    fmt.format(r.transitions),
    r.seconds.toFixed(2),
    r.wallSeconds.toFixed(2),
    fmt.format(r.statesPerSecond),
    fmt.format(r.transitionsPerSecond),
    f1(r.bytesPerState),
    mib(r.rssBytes),
  ]),
  ...spins.map((s) => [
    `SPIN ${s.name}`,
    fmt.format(s.states),
    fmt.format(s.transitions),
    String(s.seconds),
    s.wallSeconds.toFixed(2),
    fmt.format(Math.round(s.statesPerSecond)),
    fmt.format(Math.round(s.transitions / s.seconds)),
    f1(s.memoryBytes / s.states),
    mib(s.memoryBytes),
  ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const print = (row: string[]) => console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
console.log(`machine: ${line}`);
print(table[0]!);
for (const row of table.slice(1)) print(row);

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
/** big.fdr: fdrace's fastest run to a complete verdict against SPIN on coarse.pml, both end to end. */
function timeToVerdict() {
  const done = bigVerdictRuns.filter((r) => r.incomplete === null);
  if (done.length === 0 || !spinCoarse) return null;
  const best = done.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  return {
    fdrace: { run: best.name, verdict: best.verdict, seconds: best.wallSeconds, states: best.states },
    spin: {
      model: 'bench/peers/coarse.pml',
      verdict: spinCoarse.errors === 0 ? 'pass' : 'violation',
      seconds: spinCoarse.wallSeconds,
      panSeconds: spinCoarse.seconds,
      states: spinCoarse.states,
    },
    sameVerdict: (spinCoarse.errors === 0 ? 'pass' : 'violation') === best.verdict,
    fdraceOverSpin: ratio(best.wallSeconds, spinCoarse.wallSeconds),
    candidates: done.map((r) => ({ run: r.name, verdict: r.verdict, seconds: r.wallSeconds })),
  };
}
const summary: Record<string, unknown> = {
  fullStatesPerSecondVsSpin: spinMed ? ratio(medFull.statesPerSecond, spinMed.statesPerSecond) : null,
  fingerprintBytesPerState: bigFp?.bytesPerState ?? medFp.bytesPerState,
  // Lossless storage: bytes per stored state, every table included (records, visited table, component tables).
  collapseBytesPerState: bigCol?.bytesPerState ?? medCol.bytesPerState,
  collapseVsFullSpeedMedium: ratio(medCol.statesPerSecond, medFull.statesPerSecond),
  workerSpeedupBigCollapse: bigCol && bigCol2 ? ratio(bigCol.seconds, bigCol2.seconds - bigCol2.startupSeconds) : null,
  timeToVerdictBig: timeToVerdict(),
  reductionLibraryLargest: ratio(libPlain.states, libRed.states),
  reductionMedium: ratio(medFull.states, medRed.states),
  reductionBig: bigCol && bigColRed ? ratio(bigCol.states, bigColRed.states) : bigFp && bigRed ? ratio(bigFp.states, bigRed.states) : null,
  reductionIndependent: ratio(indPlain.states, indRed.states),
  // Search time: the workers' start (a few hundred ms of thread and module start-up) is left out.
  workerSpeedupMedium: ratio(medFull.seconds, medFull2.seconds - medFull2.startupSeconds),
  workerSpeedupBig: bigFp && bigFp2 ? ratio(bigFp.seconds, bigFp2.seconds - bigFp2.startupSeconds) : null,
  verdictsEqual: libPlain.verdict === libRed.verdict && medFull.verdict === medRed.verdict && indPlain.verdict === indRed.verdict,
  transactions: reductionRatios(runs),
  dpor: dporRatios(runs),
  partitioned: partitionSummary(runs.map((r) => ({ ...r, rss: r.rssBytes }))),
  spinStates: spinMed
    ? { medium: { fdrace: medFull.states, spin: spinMed.states }, big: spinBig && bigFp ? { fdrace: bigFp.states, spin: spinBig.states } : null }
    : null,
};
console.log('');
console.log(`full-state storage, 1 worker, vs SPIN (-DNOREDUCE): ${f1(summary.fullStatesPerSecondVsSpin as number)}x states/s (target >= 2x)`);
console.log(`fingerprint storage: ${f1(summary.fingerprintBytesPerState as number)} B/state (target <= 16)`);
console.log(
  `collapse storage (lossless): ${f1(summary.collapseBytesPerState as number)} B/state, every table included (target <= 64); ` +
    `${f1(summary.collapseVsFullSpeedMedium as number)}x the states/s of full storage on medium`,
);
const ttv = summary.timeToVerdictBig as ReturnType<typeof timeToVerdict>;
if (ttv) {
  console.log(
    `time to verdict on big, end to end: fdrace ${ttv.fdrace.seconds.toFixed(1)} s (${ttv.fdrace.run}: ${ttv.fdrace.verdict}) vs SPIN on coarse.pml ` +
      `${ttv.spin.seconds.toFixed(1)} s (spin -a, gcc, pan; pan alone ${ttv.spin.panSeconds.toFixed(1)} s; ${ttv.spin.verdict}, ${fmt.format(ttv.spin.states)} states): ` +
      `${f1(ttv.fdraceOverSpin)}x SPIN's time (target <= 1x)` +
      (ttv.sameVerdict ? '' : ' -- VERDICTS DIFFER'),
  );
}
console.log(
  `reduction (states unreduced / reduced, same verdict): library largest ${LIB.file.split('/').pop()} [${LIB.variant}] ${f1(summary.reductionLibraryLargest as number)}x, ` +
    `medium ${f1(summary.reductionMedium as number)}x, ${summary.reductionBig === null ? '' : `big ${f1(summary.reductionBig as number)}x, `}independent ${f1(summary.reductionIndependent as number)}x (target >= 5x on the library)`,
);
console.log(
  `2 workers vs 1: medium ${f1(summary.workerSpeedupMedium as number)}x, ${summary.workerSpeedupBig === null ? '' : `big fingerprint ${f1(summary.workerSpeedupBig as number)}x, `}` +
    `big collapse ${summary.workerSpeedupBigCollapse === null ? '-' : f1(summary.workerSpeedupBigCollapse as number)}x (target >= 1.7x)`,
);
for (const t of summary.transactions as ReturnType<typeof reductionRatios>) {
  console.log(
    `transactions: ${t.name} vs ${t.baseline}: states ${f1(t.statesRatio)}x fewer, time ${f1(t.timeRatio)}x, ` +
      `verdict ${t.verdictEqual ? 'identical' : 'DIFFERENT'} (target: >= 20x fewer states on big)`,
  );
}
for (const d of summary.dpor as ReturnType<typeof dporRatios>) {
  const stopped = runs.find((r) => r.name === d.name)?.incomplete;
  console.log(
    stopped
      ? `dpor: ${d.name}: stopped after ${fmt.format(d.states)} states reached (${stopped}), ${fmt.format(d.traces ?? 0)} paths: no verdict`
      : `dpor: ${d.name} vs ${d.baseline}: states ${f1(d.statesRatio)}x fewer, time ${f1(d.timeRatio)}x, verdict ${d.verdictEqual ? 'identical' : 'DIFFERENT'}` +
          (d.traces !== undefined ? `, ${fmt.format(d.traces)} paths` : ''),
  );
}
const part = summary.partitioned as ReturnType<typeof partitionSummary>;
if (part.speedupBig !== null) {
  console.log(
    `2 partitioned workers vs 1 (own Wasm memory each), big collapse: ${f1(part.speedupBig)}x (target >= 1.7x), states ${part.statesEqualBig ? 'equal' : 'DIFFERENT'}`,
  );
}
if (part.huge) {
  console.log(
    `huge on 2 partitioned workers, lossless: ${fmt.format(part.huge.states)} states (target >= 100 M), ${part.huge.seconds.toFixed(0)} s, ` +
      `peak RSS ${part.huge.rss === null ? '-' : mib(part.huge.rss)} (target <= 24 GiB), ${f1(part.huge.bytesPerState ?? NaN)} B/state of RSS, ${part.huge.verdict}`,
  );
}
if (spinMed) {
  console.log(
    `state counts, fdrace vs SPIN: medium ${fmt.format(medFull.states)} vs ${fmt.format(spinMed.states)} (SPIN adds 2 states of its init process)` +
      (spinBig && bigFp ? `; big ${fmt.format(bigFp.states)} vs ${fmt.format(spinBig.states)} (see bench/README.md)` : ''),
  );
}

const results = { machine, machineLine: line, date: new Date().toISOString(), runs, spin: spins, summary };
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
console.log(`\nwritten: bench/results.json`);
