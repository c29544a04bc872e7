// Turning the engine's reports into a SearchResult: violations with replayable paths, the verdict, statistics and
// what the storage mode means for completeness. Shared by every strategy.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { R_DEADLOCK, R_EXPECT, R_INVARIANT } from '../kernel/exports.ts';
import type { Verdict } from '../scenario/types.ts';
import { engine } from './engine-api.ts';
import { DEFAULTS, bitsLog2For, effectiveStorage, type Limits, type SearchOptions } from './options.ts';
import { violKind } from '../scenario/kinds.ts';
import { Step } from '../../model/steps.ts';
import { VIOL_PROPERTY, formatPath, type SearchInfo, type SearchResult, type StorageInfo, type Violation } from './result.ts';

/** Paths the strategy collected itself (dfs: the stack, random: the walk), by report index; others come from the
 *  parent links. */
export interface Found {
  moves: number[];
  seed?: number;
}

const NO_PARENT = 0xffffffff;
const STEP_NAMES = Step as unknown as Record<number, string>;
const UNKNOWN = 0xfffffffe;

/** Moves from the initial state to state `seq` (record id or sequence number), in the stored states' thread
 *  numbering. null when the parent log cannot name a parent (more than 2^28 states). */
export function movesTo(x: FdraceExports, seq: number): number[] | null {
  const moves: number[] = [];
  let cur = seq >>> 0;
  for (let guard = 0; guard < 1 << 20; guard++) {
    const p = x.eParent(cur) >>> 0;
    if (p === NO_PARENT) return moves.reverse();
    if (p === UNKNOWN) return null;
    moves.push(x.eMove(cur));
    cur = p;
  }
  return null;
}

/** Symmetry reduction stores canonical states: rename the moves into the real threads' numbers. */
export function realMoves(x: FdraceExports, moves: number[]): number[] {
  const e = engine(x);
  if ((e.eReductions() & 4) === 0 || moves.length === 0) return moves;
  const buf = e.ePathBuffer();
  if (buf === 0) throw new Error('out of memory while translating a symmetric path');
  const n = Math.min(moves.length, 65536);
  new Uint8Array(x.memory.buffer, buf, n).set(moves.slice(0, n));
  const rc = e.eTranslate(n, buf);
  if (rc !== 0) throw new Error(`internal error: a symmetric path could not be replayed (step ${rc})`);
  return [...new Uint8Array(x.memory.buffer, buf, n)];
}

/** Transaction reduction stores one move per transaction: re-expand a path (real thread numbers) into the
 *  kernel steps it ran, so that the trace lists every step. */
export function kernelSteps(x: FdraceExports, moves: number[]): number[] {
  const e = engine(x);
  if ((e.eReductions() & 8) === 0 || moves.length === 0) return moves;
  if (e.eTxReplayStart() !== 0) throw new Error('internal error: a transaction path could not be re-expanded (initial state)');
  const out: number[] = [];
  for (const [i, mv] of moves.entries()) {
    const n = e.eTxReplayMove(mv);
    if (n <= 0) throw new Error(`internal error: a transaction path could not be re-expanded (move ${i + 1})`);
    out.push(...new Uint8Array(x.memory.buffer, e.eTxLog(), n));
  }
  return out;
}

export function describeViolation(c: Compiled, code: number, obj: number): string {
  const info = VIOL_PROPERTY[code];
  if (!info) return `kernel violation ${code}`;
  const files = c.ix.fileNames;
  const about = ['UafFile', 'RefUnderflow', 'RefMismatch', 'CloseZeroCount', 'DanglingFile', 'RefLeak'].includes(info.name)
    ? ` (file ${files[obj] ?? obj})`
    : info.name === 'LockHeldAtReturn' || info.name === 'SleepInAtomic'
      ? ` (thread ${c.ix.threadNames[obj] ?? obj})`
      : info.name === 'UafItem' || info.name === 'Watchers' || info.name === 'DuplicateKey'
        ? ` (epitem #${obj})`
        : info.name === 'UafEp'
          ? ` (struct eventpoll of epoll ${c.ix.epollNames[obj] ?? obj})`
          : info.name === 'FreeWhileLocked'
            ? obj >= 16
              ? ` (struct eventpoll of epoll ${c.ix.epollNames[obj - 16] ?? obj - 16}, ep->mtx)`
              : ` (struct file ${files[obj] ?? obj}, f_lock)`
            : info.name === 'RcuIdentity'
              ? ` (took a reference on ${files[obj] ?? obj})`
              : '';
  return `${info.what}${about}`;
}

/** The object a violation names, recomputed on the real path's last state (symmetry renames threads). */
function objOnPath(x: FdraceExports, _c: Compiled, moves: number[], fallback: number): number {
  if ((engine(x).eReductions() & 4) === 0) return fallback;
  const a = x.eScratch(0);
  const b = x.eScratch(1);
  const size = x.kStateSize();
  if (x.kBuildInitial(a) !== 0) return fallback;
  const mem = new Uint8Array(x.memory.buffer);
  for (const mv of moves) {
    if (x.kStep(a, b, mv >> 1, mv & 1) !== 0) return fallback;
    mem.copyWithin(a, b, b + size);
  }
  return x.kCheck(a) !== 0 ? x.kViolObj() : fallback;
}

export function collectViolations(x: FdraceExports, c: Compiled, found: Map<number, Found>, pb = false): Violation[] {
  const out: Violation[] = [];
  const n = x.eReportCount();
  for (let k = 0; k < n; k++) {
    const kind = x.eReport(k, 0);
    const code = x.eReport(k, 1);
    let obj = x.eReport(k, 2);
    const f = found.get(k);
    const stored = f ? f.moves : movesTo(x, x.eReport(k, 3));
    const moves = stored === null ? null : kernelSteps(x, f ? stored : realMoves(x, stored));
    const path = moves === null ? '' : formatPath(moves);
    const steps = moves?.length ?? 0;
    const extra: Partial<Violation> = {};
    if (f?.seed !== undefined) extra.seed = f.seed;
    if (pb) extra.preemptions = x.eReport(k, 4);
    const unavailable = moves === null ? ' (path unavailable: more than 2^28 states)' : '';
    if (kind === R_INVARIANT) {
      if (moves) obj = objOnPath(x, c, moves, obj);
      const info = VIOL_PROPERTY[code];
      const property = info?.property ?? 'kernel';
      const qualified = `${property}.${violKind(info?.name ?? `code${code}`)}`;
      out.push({ property, kind: info?.name ?? `code${code}`, qualified, message: describeViolation(c, code, obj) + unavailable, path, steps, ...extra });
    } else if (kind === R_EXPECT) {
      const ex = c.expectations[code];
      if (!ex) continue;
      const word = ex.when ? `when ${ex.when}:` : ex.modality === 'at-end' ? 'at end' : ex.modality;
      const qualified = ex.kind ? `${ex.label}.${ex.kind}` : ex.label;
      out.push({ property: ex.label, kind: ex.when ? 'when' : ex.modality, qualified, message: `${word} ${ex.text}${unavailable}`, path, steps, ...extra });
    } else if (kind === R_DEADLOCK) {
      out.push({
        property: 'deadlock',
        kind: 'deadlock',
        qualified: 'deadlock.stuck',
        message: `no thread can move and some have not finished${unavailable}`,
        path,
        steps,
        ...extra,
      });
    }
  }
  return out;
}

/** Expected number of states a bit array of m bits with k hashes missed while n states were inserted:
 *  sum over i < n of (1 - e^{-k i / m})^k (Holzmann; Dillinger & Manolios), integrated numerically. */
export function expectedOmissions(n: number, m: number, k: number): number {
  if (n <= 0) return 0;
  const steps = 256;
  let sum = 0;
  for (let j = 0; j < steps; j++) {
    const i = ((j + 0.5) / steps) * n;
    sum += (1 - Math.exp((-k * i) / m)) ** k;
  }
  return (sum * n) / steps;
}

export function storageInfo(_x: FdraceExports, o: SearchOptions, limits: Limits, states: number): StorageInfo {
  const mode = effectiveStorage(o);
  if (mode === 'fingerprint') return { mode, collisionProbability: Math.min(1, (states * states) / 2 ** 65) };
  if (mode === 'bitstate') {
    const bits = 2 ** bitsLog2For(limits.maxMemoryBytes);
    const hashes = o.hashes ?? DEFAULTS.hashes;
    return {
      mode,
      bits,
      hashes,
      hashFactor: states > 0 ? bits / states : bits,
      expectedOmissions: expectedOmissions(states, bits, hashes),
      possiblyIncomplete: true,
    };
  }
  return { mode };
}

export interface Finish {
  x: FdraceExports;
  c: Compiled;
  file: string;
  t0: number;
  incomplete?: string;
  found: Map<number, Found>;
  options: SearchOptions;
  limits: Limits;
  workers?: number;
  walks?: number;
  /** Whether "no reachable state satisfies P" may be concluded (exhaustive, complete search). */
  exhaustive: boolean;
}

export function finish(f: Finish): SearchResult {
  const { x, c } = f;
  const e = engine(x);
  const wrong = moverError(x);
  if (wrong) throw wrong;
  const seconds = (performance.now() - f.t0) / 1000;
  const violations = collectViolations(x, c, f.found, (f.options.strategy ?? 'bfs') === 'pb');
  const sometimes = x.eSometimes() >>> 0;
  if (!f.incomplete && f.exhaustive) {
    c.expectations.forEach((ex, k) => {
      if (ex.modality === 'sometimes' && !(sometimes & (1 << k))) {
        violations.push({
          property: ex.label,
          kind: 'sometimes',
          qualified: ex.kind ? `${ex.label}.${ex.kind}` : ex.label,
          message: `sometimes ${ex.text}: no reachable state satisfies it`,
          path: '',
          steps: 0,
        });
      }
    });
  }
  const states = x.eCount() >>> 0;
  const transitions = x.eTransitions();
  let verdict: Verdict = 'pass';
  if (violations.some((v) => v.property !== 'deadlock')) verdict = 'violation';
  else if (violations.length > 0) verdict = 'deadlock';
  else if (f.incomplete) verdict = 'incomplete';
  const visitedBytes = e.eVisitedBytes();
  const red = e.eReductions();
  const strategy = f.options.strategy ?? 'bfs';
  const search: SearchInfo = {
    strategy,
    storage: storageInfo(x, f.options, f.limits, states),
    reductions: {
      por: (red & 1) !== 0,
      sleepSets: (red & 2) !== 0,
      symmetry: (red & 4) !== 0,
      ...((red & 8) !== 0 ? { transactions: true } : {}),
      ...(((red >> 5) & 3) !== 0 ? { dpor: dporInfo(x, (red >> 5) & 3) } : {}),
    },
    workers: f.workers ?? 1,
    ...(strategy === 'random' ? { seed: f.options.seed ?? 0 } : {}),
  };
  return {
    scenario: c.scenario.name,
    file: f.file,
    variant: c.variant,
    verdict,
    ...(f.incomplete ? { incomplete: f.incomplete } : {}),
    stats: {
      states,
      transitions,
      terminal: x.eTerminals() >>> 0,
      maxDepth: x.eMaxDepth(),
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(states / seconds) : states,
      memoryBytes: x.eMemBytes(),
      stateBytes: x.eStateBytes(),
      transitionsPerSecond: seconds > 0 ? Math.round(transitions / seconds) : transitions,
      visitedBytes,
      bytesPerState: states > 0 ? e.eStoreBytes() / states : 0,
      ampleExpansions: e.eAmple(),
      fullExpansions: e.eFullExpansions() >>> 0,
      sleptMoves: e.eSlept(),
      ...(f.walks !== undefined ? { walks: f.walks } : {}),
      ...(strategy === 'pb' ? { preemptions: e.ePbBound() >>> 0 } : {}),
    },
    violations,
    search,
  };
}

/** A step left its thread's footprint bound: the reduction would be unsound for this scenario. */
export class BoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoundError';
  }
}

/** A step left its thread's footprint bound: the reduction would be unsound, so the search stops. */
export function boundError(x: FdraceExports): Error | null {
  const e = engine(x);
  const b = e.eBoundError() >>> 0;
  if (b === 0) return null;
  const hex = (which: number) => `0x${(BigInt(e.eBoundBits(which, 1) >>> 0) * 2n ** 32n + BigInt(e.eBoundBits(which, 0) >>> 0)).toString(16)}`;
  return new BoundError(
    `internal error: thread ${(b & 0xff) - 1}'s step (label ${b >> 8}) touched footprint bits ${hex(1)} ` +
      `outside its bound ${hex(0)}: model/search_bounds.ts is out of date with the kernel's routines ` +
      `(rerun with --no-por to search without reduction)`,
  );
}

/** --check-movers found a step whose mover class is wrong: the classification (checker/wasm/transaction.ts) or
 *  the model's lock discipline is wrong, and the transaction reduction would be unsound for this scenario. */
export class MoverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MoverError';
  }
}

const MOVER_CLASS = ['both-mover', 'right mover', 'left mover', 'non-mover'];

const DISCIPLINE_GROUP = [
  '',
  'fd slots',
  'ep->rbr (rbtree membership, event mask and data of its epitems)',
  'an epitem (freed it)',
  "an epitem's poll-wait registration",
];
/** model/lockset.ts GROUP_SLOT_BOUND: a store outside its thread's slot bound. */
const SLOT_BOUND = 5;
const LOCK_NAME: Record<number, string> = { 1: 'file_lock of fd table', 2: 'f_lock of file', 3: 'ep->mtx of eventpoll' };

/** A reduced search met an access that broke the lockset discipline declared for its field group
 *  (model/lockset.ts): the transaction reduction's mover classes are wrong for this scenario. */
export function disciplineError(x: FdraceExports): MoverError | null {
  const e = engine(x);
  const v = e.eDiscipline(0) >>> 0;
  if (v === 0) return null;
  const lock = e.eDiscipline(1) >>> 0;
  const step = STEP_NAMES[v >> 8] ?? `label ${v >> 8}`;
  if (((v >> 4) & 15) === SLOT_BOUND) {
    return new MoverError(
      `model bug: thread ${(v & 15) - 1}'s step ${step} stored into fd ${lock & 0xff} of fd table ${lock >> 8}, which ` +
        `its remaining operations may not write (model/slot_bounds.ts): the slots the transaction reduction treats as ` +
        `frozen are wrong for this scenario (search without --reduction transaction)`,
    );
  }
  return new MoverError(
    `model bug: thread ${(v & 15) - 1}'s step ${step} accessed ${DISCIPLINE_GROUP[(v >> 4) & 15]} without holding ` +
      `${LOCK_NAME[lock >> 8] ?? `lock class ${lock >> 8}`} ${lock & 0xff}, which the lockset discipline ` +
      `(model/lockset.ts) says every such access holds: the transaction reduction is unsound for this scenario ` +
      `(search without --reduction transaction, or declare the group lockless for this variant)`,
  );
}

/** moverError for codes read from a worker's instance (eDiscipline(0..1), then eMoverCheck(0..4)): every worker judges its own transactions, so a reduced
 *  search on several workers is unsound if any of them met a discipline or mover failure. */
export function workerMoverError(codes: readonly number[]): MoverError | null {
  const view = { eDiscipline: (f: number) => codes[f] ?? 0, eMoverCheck: (f: number) => codes[2 + f] ?? 0 };
  return moverError(view as unknown as FdraceExports);
}

export function moverError(x: FdraceExports): MoverError | null {
  const e = engine(x);
  const bad = disciplineError(x);
  if (bad) return bad;
  const m = e.eMoverCheck(0) >>> 0;
  if (m === 0) return null;
  const o = e.eMoverCheck(1) >>> 0;
  const step = (v: number) => STEP_NAMES[v >> 8] ?? `label ${v >> 8}`;
  const d = e.eMoverCheck(4) >>> 0;
  const why =
    d === 1 ? 'one order cannot run' : d === 0x10000 ? 'the two orders report different findings' : `the two orders reach states that differ at byte ${d - 2}`;
  return new MoverError(
    `model bug: thread ${(m & 15) - 1}'s step ${step(m)} was classified as a ${MOVER_CLASS[(m >> 4) & 15]} but does not ` +
      `commute with thread ${(o & 15) - 1}'s step ${step(o)}${(o >> 4) & 1 ? ' (with an injected fault)' : ''}: ${why} ` +
      `(checked ${e.eMoverCheck(2) >>> 0} mover steps against ${e.eMoverCheck(3) >>> 0} steps of other threads)`,
  );
}

function dporInfo(x: FdraceExports, mode: number): NonNullable<SearchInfo['reductions']['dpor']> {
  return { mode: mode === 1 ? 'stateless' : 'stateful', traces: x.eDporStat(0), races: x.eDporStat(1), cuts: x.eDporStat(2) };
}
