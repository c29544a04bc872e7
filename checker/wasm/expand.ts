// Successor generation shared by the strategies: every enabled move of a state (move = thread * 2 + fault) is
// computed into this instance's successor buffer with its footprint, then the reductions decide which moves to
// explore: partial-order reduction picks an ample set (por.ts), sleep sets prune moves already covered, and
// symmetry replaces each successor by its canonical representative. docs/search.md has the soundness argument.

import { kCanonicalize, kFaultsUsed, kPermutation, kVirtualWrites } from '../../model/index';
import { StepStatus } from '../../model/codes';
import { faultBudget, nThreadsCfg, por, succStride, symmetry } from './config';
import { judge, jExpect, jFatal, jMask, reportJudged } from './judge';
import { FL_BAD, NONE, R_WORD, recAddr } from './visited';
import { or32 } from './shared';
import {
  forgetBounds, setTxBuffers, txBufferBytes, txFirstFaultPoint, txInvariantVirtual, txLastLabel, txReads, txRun, txWrites,
} from './transaction';

// Successor entry: header (128 bytes) then the state.
export const S_OK: usize = 0; // u8: 1 if the move is enabled
export const S_JUDGED: usize = 1; // u8: 0 not yet, 1 nothing violated, 2 something violated
export const S_FATAL: usize = 2; // u8: a fatal violation (not expanded)
export const S_LABEL: usize = 3; // u8: step label (diagnostics)
export const S_MASK: usize = 4; // u32 violated invariants
export const S_FAILS: usize = 8; // u32 failed expectations
export const S_READS: usize = 16; // u64
export const S_WRITES: usize = 24; // u64 (with virtual bits)
export const S_RAWR: usize = 32; // u64 footprint without virtual bits (bound check)
export const S_RAWW: usize = 40; // u64
export const S_PERM: usize = 48; // u8[8]: canonical thread n was thread perm[n] of the parent
export const S_OBJS: usize = 64; // u8[32]: object of each violated invariant
export const S_STATE: usize = 128;

/** This instance's successor buffer (16 entries) and a spare state. */
export let succBase: usize = 0;
export let spare: usize = 0;

export function setBuffers(p: usize): void {
  succBase = p;
  spare = p + 16 * succStride;
  setTxBuffers(p + 17 * succStride + 64, succStride);
}
export function buffersBytes(): usize {
  return 17 * succStride + 64 + txBufferBytes(succStride);
}
/** Objects of a state judged outside the successor buffer (initial states, pb). */
export function spareObjs(): usize {
  return spare + succStride;
}

// @ts-ignore: decorator
@inline export function succ(m: i32): usize {
  return succBase + <usize>m * succStride;
}

/** Moves enabled in the last generated state, and the threads owning them. */
export let enabledMask: u32 = 0;
export let enabledThreads: u32 = 0;

/** Compute every enabled move of state src. Fault moves exist where the step has an allocation to fail and the
 *  scenario's fault budget is not used up. With transaction reduction a move is a whole transaction of its thread
 *  (checker/wasm/transaction.ts); the fault move injects the failure at the transaction's first step. */
export function generate(src: usize): void {
  forgetBounds();
  const canFault = faultBudget > 0 && kFaultsUsed(src) < faultBudget;
  let en: u32 = 0;
  let th: u32 = 0;
  for (let t = 0; t < nThreadsCfg; t++) {
    const e = succ(t * 2);
    if (txRun(src, e + S_STATE, t, false, 0) != StepStatus.Ok) {
      store<u8>(e + S_OK, 0);
      continue;
    }
    const faultPoint = txFirstFaultPoint;
    record(e, t);
    en |= <u32>1 << (t * 2);
    th |= <u32>1 << t;
    if (canFault && faultPoint) {
      const f = succ(t * 2 + 1);
      txRun(src, f + S_STATE, t, true, 0);
      record(f, t);
      en |= <u32>1 << (t * 2 + 1);
    }
  }
  enabledMask = en;
  enabledThreads = th;
}

/** Compute only move m of src (the frame of a DFS stack keeps footprints, not successors). */
export function stepOne(src: usize, m: i32): void {
  const e = succ(m);
  forgetBounds();
  txRun(src, e + S_STATE, m >> 1, (m & 1) != 0, 0);
  record(e, m >> 1);
}

function record(e: usize, t: i32): void {
  const r = txReads;
  const w = txWrites;
  const iv = txInvariantVirtual;
  store<u8>(e + S_OK, 1);
  store<u8>(e + S_JUDGED, 0);
  store<u8>(e + S_LABEL, <u8>txLastLabel);
  store<u64>(e + S_RAWR, r);
  store<u64>(e + S_RAWW, w);
  store<u64>(e + S_READS, r);
  store<u64>(e + S_WRITES, por ? w | kVirtualWrites(w, t) | iv : w);
}

/** Judge successor m once (cached in its header). Returns true if anything is violated there. */
export function judgeSucc(m: i32): bool {
  const e = succ(m);
  const j = load<u8>(e + S_JUDGED);
  if (j != 0) return j == 2;
  const bad = judge(e + S_STATE, e + S_OBJS);
  store<u8>(e + S_JUDGED, bad ? 2 : 1);
  store<u8>(e + S_FATAL, jFatal ? 1 : 0);
  store<u32>(e + S_MASK, jMask);
  store<u32>(e + S_FAILS, jExpect);
  return bad;
}

/** After judgeSucc: is successor m fatally broken (not to be expanded)? */
export function fatalSucc(m: i32): bool {
  return load<u8>(succ(m) + S_FATAL) != 0;
}

/** Report what judgeSucc found for successor m, now stored as state `seq`. */
export function reportSucc(m: i32, seq: u32, extra: u32): void {
  const e = succ(m);
  reportJudged(load<u32>(e + S_MASK), e + S_OBJS, load<u32>(e + S_FAILS), seq, extra);
}

/** Judge successor m, just stored as state `id` (a record, or NONE without records): report what it violates,
 *  and when that is fatal mark the record bad (it is never expanded). Returns whether it was fatal. */
export function judgeNewSucc(m: i32, id: u32): bool {
  if (!judgeSucc(m)) return false;
  const fatal = fatalSucc(m);
  if (fatal && id != NONE) or32(recAddr(id) + R_WORD, FL_BAD << 16);
  reportSucc(m, id, 0);
  return fatal;
}

/** Do moves a and b (both enabled in the current state) commute? Same thread: never. */
export function independent(a: i32, b: i32): bool {
  if ((a >> 1) == (b >> 1)) return false;
  const ea = succ(a);
  const eb = succ(b);
  const wa = load<u64>(ea + S_WRITES);
  const wb = load<u64>(eb + S_WRITES);
  return (wa & (load<u64>(eb + S_READS) | wb)) == 0 && (wb & load<u64>(ea + S_READS)) == 0;
}

/** Sleep set of the successor by move m: the moves asleep here or explored before m that commute with m. */
export function sleepAfter(m: i32, sleep: u32, exploredBefore: u32): u32 {
  let cand = (sleep | exploredBefore) & enabledMask & ~(<u32>3 << <u32>((m >> 1) * 2));
  let out: u32 = 0;
  while (cand != 0) {
    const x = <i32>ctz(cand);
    cand &= cand - 1;
    if (independent(x, m)) out |= <u32>1 << x;
  }
  return out;
}

/** Canonicalise successor m in place (symmetry); returns its sleep set renamed to the canonical thread order. */
export function canonicalSucc(m: i32, sleep: u32): u32 {
  const e = succ(m);
  if (!symmetry) return sleep;
  if (!kCanonicalize(e + S_STATE)) {
    for (let n = 0; n < 8; n++) store<u8>(e + S_PERM + <usize>n, <u8>n);
    return sleep;
  }
  let out: u32 = 0;
  for (let n = 0; n < nThreadsCfg; n++) {
    const old = kPermutation(n);
    store<u8>(e + S_PERM + <usize>n, <u8>old);
    out |= ((sleep >> <u32>(old * 2)) & 3) << <u32>(n * 2);
  }
  return out;
}

export function stateOf(m: i32): usize {
  return succ(m) + S_STATE;
}

/** Number of enabled threads in the last generated state. */
export function enabledThreadCount(): i32 {
  return <i32>popcnt(enabledThreads);
}
