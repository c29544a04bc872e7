// npm run bench: fixed benchmark scenarios, each measurement in a process of its own (fresh JIT, its own peak
// RSS), and the peer comparison with SPIN on the same models written by hand in Promela (bench/peers/). Prints a
// table and writes bench/results.json with a line describing the machine.
//
//   bench/medium.fdr      4 threads, ~160 k states: every storage, reductions, 1 vs 2 workers, SPIN (-DNO_T4)
//   bench/big.fdr         5 threads, ~14 M states unreduced (too big for full storage in 4 GiB): fingerprint,
//                         bitstate, reductions, 1 vs 2 workers, SPIN
//   bench/independent.fdr what the reductions are for (unrelated processes, interchangeable threads)
//   the largest scenario of the library (by unreduced states): reduction factor with the same verdict
//
// Options: --quick (skip bench/big.fdr and SPIN on it), --no-spin.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REDUCTION_RUNS, reductionRatios } from './reduction-runs.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

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
  notes?: string[];
}

function child(file: string, variant: string, options: Record<string, unknown>, workers = 1, limits: Record<string, number> = {}): Omit<Run, 'name' | 'mode'> {
  const job = JSON.stringify({ file, variant, options, workers, limits });
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'child.ts'), job], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 30 * 60 * 1000,
  });
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
    ...(j.search?.notes ? { notes: j.search.notes } : {}),
  };
}

const runs: Run[] = [];
function measure(name: string, file: string, variant: string, mode: string, options: Record<string, unknown>, workers = 1): Run {
  process.stderr.write(`bench: ${name} ...`);
  const r: Run = { name, mode, ...child(file, variant, options, workers) };
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
const medFp = measure('medium fingerprint', med, 'v6.2', 'fingerprint', { ...PLAIN, storage: 'fingerprint' });
measure('medium bitstate', med, 'v6.2', 'bitstate', { ...PLAIN, storage: 'bitstate' });
const medRed = measure('medium full +por+symmetry', med, 'v6.2', 'full, reduced', { ...REDUCED, storage: 'full' });
const medFull2 = measure('medium full 2 workers', med, 'v6.2', 'full', { ...PLAIN, storage: 'full' }, 2);

let bigFp: Run | undefined;
let bigFp2: Run | undefined;
let bigRed: Run | undefined;
if (!quick) {
  bigFp = measure('big fingerprint', big, 'v6.2', 'fingerprint', { ...PLAIN, storage: 'fingerprint' });
  bigFp2 = measure('big fingerprint 2 workers', big, 'v6.2', 'fingerprint', { ...PLAIN, storage: 'fingerprint' }, 2);
  measure('big bitstate', big, 'v6.2', 'bitstate', { ...PLAIN, storage: 'bitstate' });
  bigRed = measure('big fingerprint +por+symmetry', big, 'v6.2', 'fingerprint, reduced', { ...REDUCED, storage: 'fingerprint' });
}
for (const r of REDUCTION_RUNS) if (!r.big || !quick) measure(r.name, r.file, r.variant, r.mode, r.options);
const indPlain = measure('independent', ind, 'v6.2', 'full', { ...PLAIN, storage: 'full' });
const indRed = measure('independent +por+symmetry', ind, 'v6.2', 'full, reduced', { ...REDUCED, storage: 'full' });

// The largest library scenario x variant by unreduced states (from the library's own expectations, measured).
const LIB = { file: 'scenarios/F08-epoll-close-during-replace.fdr', variant: 'rfc-v7' };
const libPlain = measure('library largest', LIB.file, LIB.variant, 'full', { ...PLAIN, storage: 'full' });
const libRed = measure('library largest +por+symmetry', LIB.file, LIB.variant, 'full, reduced', { ...REDUCED, storage: 'full' });

// ---- SPIN -----------------------------------------------------------------------------------------------
interface Spin {
  name: string;
  flags: string;
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
function runSpin(name: string, defines: string[], cflags: string[], panArgs: string[]): Spin {
  process.stderr.write(`bench: SPIN ${name} ...`);
  const dir = mkdtempSync(join(tmpdir(), 'fdrace-spin-'));
  copyFileSync(join(root, 'bench', 'peers', 'big.pml'), join(dir, 'big.pml'));
  execFileSync('spin', ['-a', ...defines, 'big.pml'], { cwd: dir, stdio: 'ignore' });
  execFileSync('gcc', ['-O2', '-DSAFETY', ...cflags, '-o', 'pan', 'pan.c'], { cwd: dir, stdio: 'ignore' });
  const out = spawnSync('./pan', panArgs, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 }).stdout;
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const s: Spin = {
    name,
    flags: [...defines, ...cflags, ...panArgs].join(' '),
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
let _spinMedPor: Spin | undefined;
if (!args.has('--no-spin') && haveSpin()) {
  spinMed = runSpin('medium (full states, no reduction)', ['-DNO_T4'], ['-DNOREDUCE'], ['-m1000', '-w24']);
  _spinMedPor = runSpin('medium (full states, SPIN partial-order reduction)', ['-DNO_T4'], [], ['-m1000', '-w24']);
  if (!quick) spinBig = runSpin('big (full states, no reduction)', [], ['-DNOREDUCE'], ['-m1000', '-w27']);
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
  ['run', 'states', 'transitions', 's', 'states/s', 'transitions/s', 'B/state', 'peak RSS'],
  ...runs.map((r) => [
    r.name,
    fmt.format(r.states),
    fmt.format(r.transitions),
    r.seconds.toFixed(2),
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
const summary: Record<string, unknown> = {
  fullStatesPerSecondVsSpin: spinMed ? ratio(medFull.statesPerSecond, spinMed.statesPerSecond) : null,
  fingerprintBytesPerState: bigFp?.bytesPerState ?? medFp.bytesPerState,
  reductionLibraryLargest: ratio(libPlain.states, libRed.states),
  reductionMedium: ratio(medFull.states, medRed.states),
  reductionBig: bigFp && bigRed ? ratio(bigFp.states, bigRed.states) : null,
  reductionIndependent: ratio(indPlain.states, indRed.states),
  // Search time: the workers' start (a few hundred ms of thread and module start-up) is left out.
  workerSpeedupMedium: ratio(medFull.seconds, medFull2.seconds - medFull2.startupSeconds),
  workerSpeedupBig: bigFp && bigFp2 ? ratio(bigFp.seconds, bigFp2.seconds - bigFp2.startupSeconds) : null,
  verdictsEqual: libPlain.verdict === libRed.verdict && medFull.verdict === medRed.verdict && indPlain.verdict === indRed.verdict,
  transactions: reductionRatios(runs),
  spinStates: spinMed
    ? { medium: { fdrace: medFull.states, spin: spinMed.states }, big: spinBig && bigFp ? { fdrace: bigFp.states, spin: spinBig.states } : null }
    : null,
};
console.log('');
console.log(`full-state storage, 1 worker, vs SPIN (-DNOREDUCE): ${f1(summary.fullStatesPerSecondVsSpin as number)}x states/s (target >= 2x)`);
console.log(`fingerprint storage: ${f1(summary.fingerprintBytesPerState as number)} B/state (target <= 16)`);
console.log(
  `reduction (states unreduced / reduced, same verdict): library largest ${LIB.file.split('/').pop()} [${LIB.variant}] ${f1(summary.reductionLibraryLargest as number)}x, ` +
    `medium ${f1(summary.reductionMedium as number)}x, big ${summary.reductionBig === null ? '-' : f1(summary.reductionBig as number)}x, independent ${f1(summary.reductionIndependent as number)}x (target >= 5x on the library)`,
);
console.log(
  `2 workers vs 1: medium ${f1(summary.workerSpeedupMedium as number)}x, big ${summary.workerSpeedupBig === null ? '-' : f1(summary.workerSpeedupBig as number)}x (target >= 1.7x)`,
);
for (const t of summary.transactions as ReturnType<typeof reductionRatios>) {
  console.log(
    `transactions: ${t.name} vs ${t.baseline}: states ${f1(t.statesRatio)}x fewer, time ${f1(t.timeRatio)}x, ` +
      `verdict ${t.verdictEqual ? 'identical' : 'DIFFERENT'} (target: >= 20x fewer states on big)`,
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
