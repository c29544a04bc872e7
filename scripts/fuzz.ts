// npm run fuzz: seeded, reproducible fuzzing of the whole pipeline (test/fuzz/pipeline.ts) with a watchdog.
//
//   npm run fuzz -- [--seed S] [--inputs N | --budget SECONDS] [--check-rate R] [--jobs J]
//   npm run fuzz -- --seed S --only I          # rerun input I of seed S alone (what a report prints)
//
// The inputs run in child processes (in-process parse/compile/check, one Wasm instance each); this process is the
// watchdog: a child whose current input has not changed for 10 s is killed and the input is a hang; a child that
// dies is a crash. Every crash or hang is written to test/fuzz-corpus/ (replayed by `npm test`). Exit 1 if any.

import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { inputAt, type FuzzInput } from '../test/fuzz/gen.ts';
import { FuzzFailure, runInput, type Outcome } from '../test/fuzz/pipeline.ts';

const ROOT = join(import.meta.dirname, '..');
const CORPUS = join(ROOT, 'test', 'fuzz-corpus');
const HANG_SECONDS = 10;

interface Args {
  seed: number;
  inputs: number;
  budget: number;
  checkRate: number;
  jobs: number;
  only?: number;
  worker?: { start: number; progress: string; deadline: number };
}

function parse(argv: string[]): Args {
  const a: Args = { seed: Math.floor(Math.random() * 2 ** 31), inputs: Infinity, budget: Infinity, checkRate: 0.5, jobs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const s = argv[++i];
      if (s === undefined || !/^\d+(\.\d+)?$/.test(s)) throw new Error(`fuzz: ${k} needs a number`);
      return Number(s);
    };
    if (k === '--seed') a.seed = v();
    else if (k === '--inputs') a.inputs = v();
    else if (k === '--budget') a.budget = v();
    else if (k === '--check-rate') a.checkRate = v();
    else if (k === '--jobs') a.jobs = Math.max(1, v());
    else if (k === '--only') a.only = v();
    else if (k === '--worker') a.worker = { start: v(), progress: argv[++i]!, deadline: v() };
    else throw new Error(`fuzz: unknown option ${k} (--seed, --inputs, --budget, --check-rate, --jobs, --only)`);
  }
  if (a.inputs === Infinity && a.budget === Infinity && a.only === undefined) a.inputs = 10_000;
  return a;
}

interface Totals extends Outcome {
  inputs: number;
  /** Inputs that went through at least one bounded check. */
  checkedInputs: number;
  crashes: number;
  hangs: number;
}
const zero = (): Totals => ({
  inputs: 0,
  parsed: 0 as unknown as boolean,
  compiled: 0,
  checks: 0,
  replays: 0,
  traces: 0,
  checkedInputs: 0,
  crashes: 0,
  hangs: 0,
});

function add(t: Totals, o: Outcome): void {
  t.inputs++;
  (t as unknown as { parsed: number }).parsed += o.parsed ? 1 : 0;
  t.compiled += o.compiled;
  t.checks += o.checks;
  t.replays += o.replays;
  t.traces += o.traces;
  if (o.checks > 0) t.checkedInputs++;
}

/** Save an input that crashed or hung; returns its corpus file name. */
function save(kind: 'crash' | 'hang', seed: number, index: number, input: FuzzInput, message: string): string {
  mkdirSync(CORPUS, { recursive: true });
  const id = createHash('sha1').update(input.text).update(JSON.stringify(input.checks)).digest('hex').slice(0, 12);
  const name = `${kind}-${id}.json`;
  const found = { kind, message: message.slice(0, 2000), seed, index, reproduce: `npm run fuzz -- --seed ${seed} --only ${index}` };
  writeFileSync(join(CORPUS, name), `${JSON.stringify({ found, input }, null, 1)}\n`);
  return name;
}

// ---- worker -----------------------------------------------------------------------------------------------------

async function worker(a: Args): Promise<void> {
  const w = a.worker!;
  const inst = { x: await loadKernel(), xr: await loadKernel() };
  const fd = openSync(w.progress, 'w');
  const buf = Buffer.alloc(16);
  const t = zero();
  let last = performance.now();
  for (let i = w.start; i < a.inputs && Date.now() < w.deadline; i += a.jobs) {
    // The watchdog reads this: the input now running (a synchronous write, so a hang cannot hide it).
    buf.fill(32);
    buf.write(String(i));
    writeSync(fd, buf, 0, 16, 0);
    const input = inputAt(a.seed, i, a.checkRate);
    try {
      add(t, runInput(inst, input));
    } catch (e) {
      t.inputs++;
      t.crashes++;
      const msg = e instanceof FuzzFailure ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
      const stack = (e instanceof FuzzFailure ? e.detail : ((e as Error).stack ?? '')).replaceAll(`${ROOT}/`, '');
      const file = save('crash', a.seed, i, input, `${msg}\n${stack}`);
      process.send!({ type: 'found', kind: 'crash', index: i, message: msg, file });
      // A crash may leave an instance in a bad state: start afresh.
      inst.x = await loadKernel();
      inst.xr = await loadKernel();
    }
    if (performance.now() - last > 1000) {
      last = performance.now();
      process.send!({ type: 'stats', totals: t });
    }
  }
  closeSync(fd);
  process.send!({ type: 'done', totals: t }, () => process.exit(0));
}

// ---- watchdog -----------------------------------------------------------------------------------------------------

function line(t: Totals, seconds: number): string {
  const rate = Math.round(t.inputs / Math.max(seconds, 1e-3));
  return (
    `${t.inputs} inputs (${rate}/s), ${(t as unknown as { parsed: number }).parsed} parsed, ${t.compiled} compiled variants, ` +
    `${t.checkedInputs} inputs through ${t.checks} bounded checks, ${t.replays} replays, ${t.traces} traces validated, ` +
    `${t.crashes} crashes, ${t.hangs} hangs, ${seconds.toFixed(0)} s`
  );
}

async function supervise(a: Args): Promise<number> {
  const t0 = performance.now();
  const deadline = a.budget === Infinity ? 8.64e15 : Date.now() + a.budget * 1000;
  const what = a.budget !== Infinity ? `--budget ${a.budget}` : `--inputs ${a.inputs}`;
  console.log(`fuzz: seed ${a.seed}, ${what}, check rate ${a.checkRate}, ${a.jobs} job(s), watchdog ${HANG_SECONDS} s`);
  console.log(
    `fuzz: reproduce this run: npm run fuzz -- --seed ${a.seed} ${a.budget !== Infinity ? `--inputs N (N = the count printed at the end)` : what} --check-rate ${a.checkRate} --jobs ${a.jobs}`,
  );
  const dir = join(tmpdir(), `fdrace-fuzz-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const done = zero();
  const live = new Map<number, Totals>();
  const found: string[] = [];
  const sum = (): Totals => {
    const s = { ...done };
    for (const v of live.values()) for (const k of Object.keys(s) as (keyof Totals)[]) (s[k] as number) += v[k] as number;
    return s;
  };
  const runJob = (job: number, from: number): Promise<void> =>
    new Promise((resolve) => {
      const progress = join(dir, `job${job}`);
      writeFileSync(progress, '');
      const argv = [
        '--seed',
        String(a.seed),
        '--inputs',
        String(Math.min(a.inputs, Number.MAX_SAFE_INTEGER)),
        '--check-rate',
        String(a.checkRate),
        '--jobs',
        String(a.jobs),
        '--worker',
        String(from),
        progress,
        String(deadline),
      ];
      const child: ChildProcess = fork(import.meta.filename, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let finished = false;
      let seen = '';
      let since = performance.now();
      const current = () => {
        try {
          return readFileSync(progress, 'utf8').trim();
        } catch {
          return '';
        }
      };
      const settle = (kind: 'hang' | 'crash', why: string) => {
        const cur = current();
        const i = Number(cur);
        clearInterval(timer);
        const segment = live.get(job) ?? zero();
        live.delete(job);
        for (const k of Object.keys(done) as (keyof Totals)[]) (done[k] as number) += segment[k] as number;
        if (cur === '' || !Number.isFinite(i)) {
          console.log(`fuzz: job ${job} ${why} before its first input`);
          found.push(`${kind}: job ${job} ${why} before its first input`);
          done.crashes++;
          resolve();
          return;
        }
        const input = inputAt(a.seed, i, a.checkRate);
        const file = save(kind, a.seed, i, input, why);
        done.inputs++;
        if (kind === 'hang') done.hangs++;
        else done.crashes++;
        found.push(`${kind} at input ${i} (${why}): test/fuzz-corpus/${file}; reproduce: npm run fuzz -- --seed ${a.seed} --only ${i}`);
        console.log(`fuzz: ${found[found.length - 1]}`);
        resolve(runJob(job, i + a.jobs));
      };
      const timer = setInterval(() => {
        const cur = current();
        if (cur !== seen) {
          seen = cur;
          since = performance.now();
        } else if (!finished && cur !== '' && performance.now() - since > HANG_SECONDS * 1000) {
          // Only an input can hang: starting the process (loading tsx and the kernel) is not timed, as it can
          // take long on a loaded machine.
          child.kill('SIGKILL');
          finished = true;
          settle('hang', `no progress for ${HANG_SECONDS} s`);
        }
      }, 250);
      child.on('message', (m: { type: string; totals?: Totals; index?: number; message?: string; file?: string }) => {
        if (m.type === 'stats' || m.type === 'done') live.set(job, m.totals!);
        if (m.type === 'found') {
          found.push(`crash at input ${m.index} (${m.message}): test/fuzz-corpus/${m.file}; reproduce: npm run fuzz -- --seed ${a.seed} --only ${m.index}`);
          console.log(`fuzz: ${found[found.length - 1]}`);
        }
      });
      child.on('exit', (code, signal) => {
        if (finished) return;
        finished = true;
        if (code === 0) {
          clearInterval(timer);
          const segment = live.get(job) ?? zero();
          live.delete(job);
          for (const k of Object.keys(done) as (keyof Totals)[]) (done[k] as number) += segment[k] as number;
          resolve();
          return;
        }
        settle('crash', `the process died (${signal ?? `exit ${code}`})`);
      });
    });
  const ticker = setInterval(() => console.log(`fuzz: ${line(sum(), (performance.now() - t0) / 1000)}`), 30_000);
  await Promise.all(Array.from({ length: a.jobs }, (_, j) => runJob(j, j)));
  clearInterval(ticker);
  rmSync(dir, { recursive: true, force: true });
  const total = sum();
  console.log(`fuzz: done: ${line(total, (performance.now() - t0) / 1000)}`);
  console.log(
    `fuzz: reproduce: npm run fuzz -- --seed ${a.seed} --inputs ${a.budget !== Infinity ? total.inputs : a.inputs} --check-rate ${a.checkRate} --jobs ${a.jobs}`,
  );
  for (const f of found) console.log(`fuzz: FOUND ${f}`);
  return found.length > 0 ? 1 : 0;
}

async function only(a: Args): Promise<number> {
  const input = inputAt(a.seed, a.only!, a.checkRate);
  console.log(`fuzz: seed ${a.seed} input ${a.only} (${input.origin}), ${input.checks.length} bounded check plan(s):`);
  console.log(input.text);
  for (const p of input.checks) console.log(`  plan ${JSON.stringify(p)}`);
  const inst = { x: await loadKernel(), xr: await loadKernel() };
  const o = runInput(inst, input);
  console.log(`fuzz: ok ${JSON.stringify(o)}`);
  return 0;
}

const args = parse(process.argv.slice(2));
if (args.worker) await worker(args);
else process.exitCode = args.only !== undefined ? await only(args) : await supervise(args);
