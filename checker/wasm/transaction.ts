// Transaction (Lipton) reduction: one move of the search runs a whole transaction of one thread — a maximal
// sequence  right movers* · at most one non-mover · left movers*  — and only its last state is stored. Lipton,
// "Reduction: a method of proving properties of parallel programs" (CACM 1975); Flanagan & Qadeer, "Transactions
// for software model checking" (SoftMC 2003). docs/search.md argues soundness property by property.
//
// Each step is classified from what it did (its footprint and the bytes it changed outside its own thread record):
//   right mover  takes a file table's file_lock or the global epoll mutex, and touches nothing else shared;
//   left mover   releases one of those, and touches nothing else shared;
//   both-mover   touches nothing shared at all (thread-private registers, frames, held references);
//   non-mover    everything else, and any step an expectation can see (its virtual footprint bits).
// Only locks whose memory outlives every scenario (files_struct, the global mutex) make movers: taking f_lock or
// ep->mtx does not commute with the step that frees the struct file or eventpoll around it (a use-after-free in
// one order, free-while-locked in the other), so those acquisitions are non-movers.
//
// A transaction also ends, leaving the state stored:
//   - before a step that is blocked (a thread waiting on a lock is at a stored state: deadlocks are preserved);
//   - before an acquisition while the thread holds a lock (nested acquisitions are where ABBA deadlocks form);
//   - before a step that has a fault point while the fault budget lasts (the failing branch is its own move);
//   - at a state that violates an invariant or expectation (judged at every step of the transaction), so the
//     violation is reported at its own state, with the full path to it;
//   - after MAX_STEPS steps (a thread spinning alone on private state).
// With `--check-movers` every step classified as a mover is checked against every other thread's enabled step
// (both orders from the same state must reach the same state with the same findings); the first failure is kept
// for the host to report as a model bug.

import {
  kFaultsUsed, kInvariantVirtual, kLastLabel, kSawFaultPoint, kStep, kStepReads, kStepWrites, kVirtualWrites,
} from '../../model/index';
import { StepStatus } from '../../model/codes';
import {
  E_MTX, E_SIZE, F_LOCK, F_SIZE, G_GMTX, G_NL, G_VIOL, G_VIOL_KIND, G_VIOL_OBJ, nEpolls, nFiles, nTables,
  offEpolls, offFiles, offTables, offThreads, tableStride, threadStride,
} from '../../model/layout';
import { FP_GLOBAL, FP_TABLE } from '../../model/frame';
import { checkMovers, faultBudget, nThreadsCfg, por, stateBytes, transactions } from './config';
import { judge } from './judge';

export const MV_BOTH: i32 = 0;
export const MV_RIGHT: i32 = 1;
export const MV_LEFT: i32 = 2;
export const MV_NON: i32 = 3;

/** Steps of one transaction at most. */
export const MAX_STEPS: i32 = 64;

// Per-instance scratch (set by setTxBuffers): the next step's state, objects for judging, and four states for the
// commutation check.
let tmp: usize = 0;
let objs: usize = 0;
let probe: usize = 0;

let probeStride: usize = 0;

export function txBufferBytes(stride: usize): usize {
  return 4 * stride + 64;
}
export function setTxBuffers(p: usize, stride: usize): void {
  tmp = p;
  probe = p + stride;
  probeStride = stride;
  objs = p + 4 * stride;
}

/** What the last txRun did: footprint of all its steps (raw and with the invariants' virtual objects), whether
 *  its first step had a fault point, how many steps it took. */
export let txReads: u64 = 0;
export let txWrites: u64 = 0;
export let txInvariantVirtual: u64 = 0;
export let txFirstFaultPoint: bool = false;
export let txSteps: i32 = 0;
export let txLastLabel: i32 = 0;

/** Byte offset where a and b first differ in [from, to), or -1. */
function firstDiff(a: usize, b: usize, from: usize, to: usize): isize {
  let i = from;
  while (i < to && (i & 7) != 0) {
    if (load<u8>(a + i) != load<u8>(b + i)) return <isize>i;
    i++;
  }
  while (i + 8 <= to) {
    if (load<u64>(a + i) != load<u64>(b + i)) break;
    i += 8;
  }
  while (i < to) {
    if (load<u8>(a + i) != load<u8>(b + i)) return <isize>i;
    i++;
  }
  return -1;
}

/** Footprint bit of a mover lock's owner byte at offset `off`, or -1 if the byte is not a mover lock. */
function moverLockBit(off: usize): i32 {
  if (off == <usize>G_GMTX) return FP_GLOBAL;
  const lo = <usize>offTables;
  if (off >= lo && off < lo + <usize>(nTables * tableStride) && (off - lo) % <usize>tableStride == 0) {
    return FP_TABLE + <i32>((off - lo) / <usize>tableStride);
  }
  return -1;
}

/** Does thread t hold any lock in state s? */
export function holdsLock(s: usize, t: i32): bool {
  const me = <u8>(t + 1);
  if (load<u8>(s + <usize>G_GMTX) == me || load<u8>(s + <usize>G_NL) == me) return true;
  for (let i = 0; i < nTables; i++) if (load<u8>(s + <usize>(offTables + i * tableStride)) == me) return true;
  for (let f = 0; f < nFiles; f++) if (load<u8>(s + <usize>(offFiles + f * F_SIZE + F_LOCK)) == me) return true;
  for (let e = 0; e < nEpolls; e++) if (load<u8>(s + <usize>(offEpolls + e * E_SIZE + E_MTX)) == me) return true;
  return false;
}

/** Mover class of the step of thread t from a to b with raw footprint (r, w). */
export function classify(a: usize, b: usize, t: i32, r: u64, w: u64): i32 {
  if (kVirtualWrites(w, t) != 0) return MV_NON; // an expectation reads what it changed, or names the thread
  const lo = <usize>(offThreads + t * threadStride);
  const hi = lo + <usize>threadStride;
  let lockOff: isize = -1;
  let from: usize = 0;
  // Every changed byte outside the thread's record must be one mover lock's owner byte.
  while (true) {
    let d = from < lo ? firstDiff(a, b, from, lo) : -1;
    if (d < 0) d = firstDiff(a, b, from > hi ? from : hi, stateBytes);
    if (d < 0) break;
    if (lockOff >= 0 || moverLockBit(<usize>d) < 0) return MV_NON;
    lockOff = d;
    from = <usize>d + 1;
  }
  if (lockOff < 0) return (r | w) == 0 ? MV_BOTH : MV_NON;
  const bit = (<u64>1) << <u64>moverLockBit(<usize>lockOff);
  if (((r | w) & ~bit) != 0) return MV_NON;
  const before = load<u8>(a + <usize>lockOff);
  const after = load<u8>(b + <usize>lockOff);
  if (before == 0 && after == <u8>(t + 1)) return MV_RIGHT;
  if (before == <u8>(t + 1) && after == 0) return MV_LEFT;
  return MV_NON;
}

/** Run one move: thread t's next step from src into dst (with the fault injected if `fault`), and with
 *  transactions on, the rest of its transaction. Returns the first step's status. When `log` is not 0, each
 *  kernel step's move (thread * 2 + fault) is appended there, up to MAX_STEPS bytes. */
export function txRun(src: usize, dst: usize, t: i32, fault: bool, log: usize): i32 {
  const st = kStep(src, dst, t, fault);
  if (st != StepStatus.Ok) return st;
  txFirstFaultPoint = kSawFaultPoint();
  txLastLabel = kLastLabel();
  let r = kStepReads();
  let w = kStepWrites();
  let iv: u64 = por ? kInvariantVirtual(src, dst) : 0;
  let n = 1;
  if (log != 0) store<u8>(log, <u8>(t * 2 + (fault ? 1 : 0)));
  if (transactions) {
    const c0 = classify(src, dst, t, r, w);
    let committed = c0 == MV_NON || c0 == MV_LEFT;
    if (checkMovers && c0 != MV_NON) checkCommutes(src, dst, t, fault, c0, txLastLabel);
    while (n < MAX_STEPS) {
      if (judge(dst, objs)) break; // a violation ends the transaction at its own state
      if (kStep(dst, tmp, t, false) != StepStatus.Ok) break;
      if (kSawFaultPoint() && faultBudget > 0 && kFaultsUsed(dst) < faultBudget) break;
      const r2 = kStepReads();
      const w2 = kStepWrites();
      const label = kLastLabel();
      const c = classify(dst, tmp, t, r2, w2);
      if (c == MV_NON || c == MV_RIGHT) {
        if (committed) break;
        if (c == MV_RIGHT && holdsLock(dst, t)) break;
      }
      if (c == MV_LEFT && !committed) committed = true;
      if (c == MV_NON) committed = true;
      if (checkMovers && c != MV_NON) checkCommutes(dst, tmp, t, false, c, label);
      if (por) iv |= kInvariantVirtual(dst, tmp);
      r |= r2;
      w |= w2;
      txLastLabel = label;
      memory.copy(dst, tmp, stateBytes);
      if (log != 0) store<u8>(log + <usize>n, <u8>(t * 2));
      n++;
    }
  }
  txReads = r;
  txWrites = w;
  txInvariantVirtual = iv;
  txSteps = n;
  return StepStatus.Ok;
}

// ---- --check-movers ---------------------------------------------------------------------------------------

/** First wrong classification found: thread + 1 | class << 4 | label << 8, then the other step. 0: none. */
export let moverError: u32 = 0;
export let moverOther: u32 = 0;
/** Mover steps checked, and pairs compared. */
export let moverChecks: u32 = 0;
export let moverPairs: u32 = 0;

export function resetMoverCheck(): void {
  moverError = 0;
  moverOther = 0;
  moverChecks = 0;
  moverPairs = 0;
}

/** Compare two states, ignoring the header bytes that only say what the last step found (compared apart). */
function sameState(a: usize, b: usize): bool {
  for (let i: usize = 0; i < stateBytes; i++) {
    if (i == <usize>G_VIOL || i == <usize>G_VIOL_OBJ || i == <usize>G_VIOL_KIND) continue;
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}

function viol(s: usize): u32 {
  return <u32>load<u8>(s + <usize>G_VIOL);
}

/** The step of t from a (with `fault`) into b was classified `cls`: check it against every other thread's enabled
 *  step x from a. Right mover: if t·x is possible then x·t is, to the same state. Left mover: if x·t is possible
 *  then t·x is, to the same state. Both-mover: both. The findings of the two steps must agree as a set. */
function checkCommutes(a: usize, b: usize, t: i32, fault: bool, cls: i32, label: i32): void {
  if (moverError != 0) return;
  moverChecks++;
  const sx = probe; // a·x
  const sxt = probe + probeStride; // a·x·t
  const stx = probe + 2 * probeStride; // a·t·x
  for (let u = 0; u < nThreadsCfg; u++) {
    if (u == t) continue;
    for (let fx = 0; fx < 2; fx++) {
      if (kStep(a, sx, u, fx != 0) != StepStatus.Ok) break;
      const xLabel = kLastLabel();
      const xFault = kSawFaultPoint();
      const vx = viol(sx);
      const okXT = kStep(sx, sxt, t, fault) == StepStatus.Ok;
      const vxt = viol(sxt);
      const okTX = kStep(b, stx, u, fx != 0) == StepStatus.Ok;
      const vtx = viol(stx);
      const vt = viol(b);
      moverPairs++;
      let bad = false;
      if (cls != MV_LEFT && okTX && !okXT) bad = true; // right: t·x must be possible as x·t
      if (cls != MV_RIGHT && okXT && !okTX) bad = true; // left: x·t must be possible as t·x
      if (!bad && okXT && okTX) {
        if (!sameState(sxt, stx)) bad = true;
        else if (!((vx == vt && vxt == vtx) || (vx == vtx && vxt == vt))) bad = true;
      }
      if (bad) {
        moverError = <u32>(t + 1) | (<u32>cls << 4) | (<u32>label << 8);
        moverOther = <u32>(u + 1) | (<u32>fx << 4) | (<u32>xLabel << 8);
        return;
      }
      if (!xFault || fx == 1 || faultBudget == 0 || kFaultsUsed(a) >= faultBudget) break;
    }
  }
}
