// npm run bench:shards: what splitting one exhaustive search over n independent shards costs and gains. Runs the
// CLI as separate processes exactly as a batch engine would (`fdrace check FILE --shard i/n --json
// --state-hashes H`), one at a time (each shard's wall time is then what it takes alone on its own machine),
// under /usr/bin/time for the peak RSS; merges with `fdrace merge` for the union and the overlap; and extrapolates
// per-shard states, time and memory to more shards from the measured ones. Writes bench/shards.json.
//
//   npx tsx bench/shards.ts [--file bench/big.fdr] [--variant v6.2] [--storage fingerprint] [--shards 1,2,4]
//                           [--extrapolate 16] [--frontier K] [--out bench/shards.json]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const file = arg('file', 'bench/big.fdr');
const variant = arg('variant', 'v6.2');
const storage = arg('storage', 'fingerprint');
const counts = arg('shards', '1,2,4').split(',').map(Number);
const target = Number(arg('extrapolate', '16'));
const frontier = argv.includes('--frontier') ? ['--shard-frontier', arg('frontier', '64')] : [];
const out = arg('out', join(root, 'bench', 'shards.json'));
const tmp = mkdtempSync(join(tmpdir(), 'fdrace-shards-'));

interface Measured {
  /** Wall-clock seconds of the whole process, and CPU seconds (user + system): on a shared machine the CPU time is
   *  what the shard would take alone on an idle core. */
  seconds: number;
  cpuSeconds: number;
  rssBytes: number;
  states: number;
  transitions: number;
  verdict: string;
  owned?: number;
  prefix?: number;
  cutLevel?: number | null;
  /** The --json line itself (for merge; dropped from the report). */
  json: string;
}

/** One CLI run under nice and /usr/bin/time: wall seconds, peak RSS, and the --json result. */
function run(extra: string[]): Measured {
  const timing = join(tmp, 'time.txt');
  const args = [
    '-n',
    '5',
    '/usr/bin/time',
    '-f',
    '%e %M %U %S',
    '-o',
    timing,
    process.execPath,
    join(root, 'bin', 'fdrace.mjs'),
    'check',
    file,
    '--variant',
    variant,
    '--storage',
    storage,
    '--json',
    '--quiet',
    '--no-trace',
    ...extra,
  ];
  const r = spawnSync('nice', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 && r.status !== 10 && r.status !== 11 && r.status !== 12) throw new Error(`check failed (${r.status}): ${r.stderr}`);
  const [secs, kb, user, sys] = readFileSync(timing, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  const line = r.stdout.trim().split('\n').pop()!;
  const j = JSON.parse(line);
  return {
    json: line,
    seconds: secs!,
    cpuSeconds: user! + sys!,
    rssBytes: kb! * 1024,
    states: j.stats.states,
    transitions: j.stats.transitions,
    verdict: j.verdict,
    ...(j.part?.shard ? { owned: j.part.shard.ownedStates, prefix: j.part.shard.prefixStates, cutLevel: j.part.shard.cutLevel } : {}),
  };
}

const load0 = loadavg()[0]!;
process.stderr.write(`bench/shards: ${file} [${variant}], ${storage} storage, shards ${counts.join(', ')}; load ${load0.toFixed(2)}\n`);
const single = run([]);
process.stderr.write(
  `  unsharded: ${single.states} states, ${single.seconds.toFixed(1)} s (${single.cpuSeconds.toFixed(1)} s CPU), ${(single.rssBytes / 2 ** 20).toFixed(0)} MiB\n`,
);

const rows: {
  n: number;
  shards: Measured[];
  slowest: number;
  slowestCpu: number;
  largestRss: number;
  distinct: number;
  overlap: number;
  mergedVerdict: string;
  maxShareOfStates: number;
}[] = [];
for (const n of counts) {
  const shards: Measured[] = [];
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const h = join(tmp, `h${n}-${i}.bin`);
    const m = run(['--shard', `${i}/${n}`, '--state-hashes', h, ...frontier]);
    shards.push(m);
    const jf = join(tmp, `r${n}-${i}.json`);
    writeFileSync(jf, m.json);
    files.push(jf);
    process.stderr.write(
      `  shard ${i}/${n}: ${m.states} states (owned ${m.owned} of the frontier), ${m.seconds.toFixed(1)} s (${m.cpuSeconds.toFixed(1)} s CPU), ${(m.rssBytes / 2 ** 20).toFixed(0)} MiB\n`,
    );
  }
  const mr = spawnSync(process.execPath, [join(root, 'bin', 'fdrace.mjs'), 'merge', '--json', ...files], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (mr.status === 1 || mr.status === 2) throw new Error(`merge failed: ${mr.stderr}`);
  const merged = JSON.parse(mr.stdout);
  for (let i = 0; i < n; i++) rmSync(join(tmp, `h${n}-${i}.bin`), { force: true });
  rows.push({
    n,
    shards,
    slowest: Math.max(...shards.map((s) => s.seconds)),
    slowestCpu: Math.max(...shards.map((s) => s.cpuSeconds)),
    largestRss: Math.max(...shards.map((s) => s.rssBytes)),
    distinct: merged.stats.distinctStates,
    overlap: merged.stats.overlap,
    mergedVerdict: merged.verdict,
    maxShareOfStates: Math.max(...shards.map((s) => s.states)) / single.states,
  });
}

// Extrapolation: the largest shard's share of the states against log2(n), fitted by least squares over the
// measured n; its time and memory from the measured seconds per state and RSS per state (plus the fixed part).
function fit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / sxx;
  return { a: my - b * mx, b };
}
const share = fit(
  rows.map((r) => Math.log2(r.n)),
  rows.map((r) => r.maxShareOfStates),
);
const shareAt = Math.min(1, Math.max(1 / target, share.a + share.b * Math.log2(target)));
const all = rows.flatMap((r) => r.shards);
const secPerState = fit(
  all.map((s) => s.states),
  all.map((s) => s.seconds),
);
const cpuPerState = fit(
  all.map((s) => s.states),
  all.map((s) => s.cpuSeconds),
);
const rssPerState = fit(
  all.map((s) => s.states),
  all.map((s) => s.rssBytes),
);
const statesAt = shareAt * single.states;
const extrapolated = {
  shards: target,
  largestShardStates: Math.round(statesAt),
  seconds: secPerState.a + secPerState.b * statesAt,
  cpuSeconds: cpuPerState.a + cpuPerState.b * statesAt,
  rssBytes: rssPerState.a + rssPerState.b * statesAt,
  totalStates: Math.round(target * statesAt),
  method:
    'largest shard share of the states fitted linearly in log2(n) over the measured n; seconds and RSS fitted linearly in states over every measured shard',
};

const machine = `${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average ${load0.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end (shared machine)`;
const strip = (m: Measured) => ({ ...m, json: undefined });
for (const r of rows) r.shards = r.shards.map((m) => strip(m) as unknown as Measured);
const report = { date: new Date().toISOString(), machine, file, variant, storage, unsharded: strip(single), rows, extrapolated };
writeFileSync(out, `${JSON.stringify(report, null, 1)}\n`);
rmSync(tmp, { recursive: true, force: true });

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`${file} [${variant}], ${storage}; ${machine}`);
console.log(`unsharded: ${single.states} states, ${single.seconds.toFixed(1)} s wall, ${single.cpuSeconds.toFixed(1)} s CPU, ${mib(single.rssBytes)}`);
console.log('n | slowest shard s wall (CPU) | largest shard states (share) | largest RSS | sum of states | distinct | overlap');
for (const r of rows) {
  const sum = r.shards.reduce((s, x) => s + x.states, 0);
  console.log(
    `${r.n} | ${r.slowest.toFixed(1)} (${r.slowestCpu.toFixed(1)}) | ${Math.max(...r.shards.map((s) => s.states))} (${(r.maxShareOfStates * 100).toFixed(1)}%) | ${mib(r.largestRss)} | ${sum} | ${r.distinct} | ${r.overlap} (${((r.overlap / r.distinct) * 100).toFixed(1)}%)`,
  );
}
console.log(
  `extrapolated to ${target} shards: largest shard ~${extrapolated.largestShardStates} states (${(shareAt * 100).toFixed(1)}%), ~${extrapolated.seconds.toFixed(0)} s wall (~${extrapolated.cpuSeconds.toFixed(0)} s CPU), ~${mib(extrapolated.rssBytes)} per shard`,
);
