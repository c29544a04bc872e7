// Transaction (Lipton) reduction: one move of the search runs a whole transaction of one thread — a maximal
// sequence  right movers* · at most one non-mover · left movers*  — and only its last state is stored. Lipton,
// "Reduction: a method of proving properties of parallel programs" (CACM 1975); Flanagan & Qadeer, "Transactions
// for software model checking" (SoftMC 2003). docs/search.md argues soundness property by property.
//
// Each step is classified from what it did (its footprint, which of its accesses the lockset discipline of
// model/lockset.ts calls protected, and the bytes it changed outside its own thread record):
//   right mover  takes a lock (file_lock, f_lock, ep->mtx, the global epoll mutex) and makes no other shared access
//                but protected ones (the lock's owner byte and protected fields are the only shared bytes it
//                changes);
//   left mover   releases one of those, likewise;
//   both-mover   touches nothing shared (thread-private registers, frames, held references), or only makes
//                protected accesses (a field group read or written under the lock that every conflicting access
//                holds), or touches only objects that no other thread may ever touch again in a conflicting way (its
//                footprint, virtual objects included, misses every other thread's future-footprint bound, por.ts);
//   non-mover    everything else, and any step an expectation can see (its virtual footprint bits).
// f_lock and ep->mtx steps are movers only while the thread pins the struct file they live in (a counted
// reference): otherwise another thread may free that memory around them, and a free under a held lock must stay
// reported as free-while-locked.
//
// A transaction also ends, leaving the state stored:
//   - before a step that is blocked (a thread waiting on a lock is at a stored state: deadlocks are preserved);
//   - before a step that takes a lock while the thread holds one (nested acquisitions are where ABBA deadlocks
//     form), whatever the step's class;
//   - before a step that has a fault point while the fault budget lasts (the failing branch is its own move);
//   - at a state that violates an invariant or expectation (judged at every step of the transaction), so the
//     violation is reported at its own state, with the full path to it;
//   - after MAX_STEPS steps (a thread spinning alone on private state).
// With `--check-movers` every step classified as a mover is checked against every other thread's enabled step
// (both orders from the same state must reach the same state with the same findings); the first failure is kept
// for the host to report as a model bug.

import {
  kFaultsUsed, kInvariantVirtual, kIsFatal, kLastLabel, kStepBeyondLocks, kStepProtected, kStepProtWrites, kSawFaultPoint, kStep,
  kStepReads, kStepRefGated, kStepWrites, kVirtualWrites,
} from '../../model/index';
import { StepStatus } from '../../model/codes';
import {
  E_MTX, E_SIZE, F_LOCK, F_REF, F_SIZE, G_GMTX, G_NL, I_DATA, I_EP, I_EVENTS, I_FLAGS, I_SIZE, NHELD, T_HELD, T_UHELD, G_RETURNED, G_VIOL,
  G_VIOL_KIND, G_VIOL_OBJ, nEpolls, nFiles, nItems, nTables, offEpolls, offFiles, offItems, offTables, offThreads, tableStride,
  threadStride, epFile,
} from '../../model/layout';
import { FP_EPOLL, FP_FILE, FP_GLOBAL, FP_TABLE } from '../../model/frame';
import { computeBounds, independentOfOthers } from './por';
import { checkMovers, faultBudget, naiveMovers, nThreadsCfg, por, stateBytes, transactions } from './config';
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

/** Footprint bit of the object whose lock owner byte is at offset `off` (file_lock, the global epoll mutex,
 *  f_lock, ep->mtx), or -1 if the byte is not a lock the classification knows. notify_lock is left out: the
 *  seccomp notification it guards is read by the listener without it. */
function moverLockBit(off: usize): i32 {
  if (off == <usize>G_GMTX) return FP_GLOBAL;
  const lo = <usize>offTables;
  if (off >= lo && off < lo + <usize>(nTables * tableStride) && (off - lo) % <usize>tableStride == 0) {
    return FP_TABLE + <i32>((off - lo) / <usize>tableStride);
  }
  const fl = <usize>offFiles;
  if (off >= fl && off < fl + <usize>(nFiles * F_SIZE) && (off - fl) % <usize>F_SIZE == <usize>F_LOCK) {
    return FP_FILE + <i32>((off - fl) / <usize>F_SIZE);
  }
  const el = <usize>offEpolls;
  if (off >= el && off < el + <usize>(nEpolls * E_SIZE) && (off - el) % <usize>E_SIZE == <usize>E_MTX) {
    return FP_EPOLL + <i32>((off - el) / <usize>E_SIZE);
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

/** Did the step of thread t from a to b take a lock (any class)? */
function takesLock(a: usize, b: usize, t: i32): bool {
  const me = <u8>(t + 1);
  if (load<u8>(b + <usize>G_GMTX) == me && load<u8>(a + <usize>G_GMTX) != me) return true;
  if (load<u8>(b + <usize>G_NL) == me && load<u8>(a + <usize>G_NL) != me) return true;
  for (let i = 0; i < nTables; i++) {
    const o = <usize>(offTables + i * tableStride);
    if (load<u8>(b + o) == me && load<u8>(a + o) != me) return true;
  }
  for (let f = 0; f < nFiles; f++) {
    const o = <usize>(offFiles + f * F_SIZE + F_LOCK);
    if (load<u8>(b + o) == me && load<u8>(a + o) != me) return true;
  }
  for (let e = 0; e < nEpolls; e++) {
    const o = <usize>(offEpolls + e * E_SIZE + E_MTX);
    if (load<u8>(b + o) == me && load<u8>(a + o) != me) return true;
  }
  return false;
}

/** Set by classify: the step changed no shared byte but a lock it took, or none at all. Taking a lock only
 *  switches invariants off (E8 and E6 are checked outside ep->mtx, E10 outside the global mutex) and expectations
 *  do not read what a mover changes (virtual objects), so such a state needs no judging of its own unless the
 *  step also changed the references its thread holds (E3) or reported a finding itself. */
let quiet: bool = false;

/** Mover class of the step of thread t from a to b with raw footprint (r, w). */
export function classify(a: usize, b: usize, t: i32, r: u64, w: u64): i32 {
  const c = classifyLocks(a, b, t, r, w);
  quiet = (c == MV_RIGHT || c == MV_BOTH) && kStepProtWrites() == 0;
  if (c != MV_NON || naiveMovers) return c;
  const v = kVirtualWrites(w, t) | kInvariantVirtual(a, b);
  return independentOfOthers(t, r, w | v) ? MV_BOTH : MV_NON;
}

function classifyLocks(a: usize, b: usize, t: i32, r: u64, w: u64): i32 {
  if (naiveMovers) return MV_BOTH;
  if (kVirtualWrites(w, t) != 0) return MV_NON; // an expectation reads what it changed, or names the thread
  if (kStepBeyondLocks()) return MV_NON; // an access outside every lockset discipline (model/lockset.ts)
  const prot = kStepProtected();
  const protW = kStepProtWrites();
  const lo = <usize>(offThreads + t * threadStride);
  const hi = lo + <usize>threadStride;
  let lockOff: isize = -1;
  let from: usize = 0;
  // Every changed byte outside the thread's record must be one mover lock's owner byte or a field the step wrote
  // under its discipline's lock (a safety net under the kernel's own report: a plain store that bypassed the
  // accessors makes the step a non-mover).
  while (true) {
    let d = from < lo ? firstDiff(a, b, from, lo) : -1;
    if (d < 0) d = firstDiff(a, b, from > hi ? from : hi, stateBytes);
    if (d < 0) break;
    if (moverLockBit(<usize>d) >= 0) {
      if (lockOff >= 0) return MV_NON;
      lockOff = d;
    } else if (!protectedByte(a, b, <usize>d, protW) && !gatedCount(<usize>d)) return MV_NON;
    from = <usize>d + 1;
  }
  const bit: u64 = lockOff >= 0 ? (<u64>1) << <u64>moverLockBit(<usize>lockOff) : 0;
  if (((r | w) & ~(bit | prot)) != 0) return MV_NON; // read a slot beside file_lock without holding it, say
  if (lockOff < 0) return MV_BOTH;
  if (!pinnedLock(a, t, <usize>lockOff)) return MV_NON;
  const before = load<u8>(a + <usize>lockOff);
  const after = load<u8>(b + <usize>lockOff);
  if (before == 0 && after == <u8>(t + 1)) return MV_RIGHT;
  if (before == <u8>(t + 1) && after == 0) return MV_LEFT;
  return MV_NON;
}

/** Does thread t, in state s, hold a counted reference on the struct file that the lock at `off` lives in (f_lock
 *  in the file, ep->mtx in the eventpoll its epoll file owns)? Only then can no other thread free that memory
 *  between this lock step and the thread's next one, so that taking or dropping the lock commutes with every other
 *  thread's step, frees included. file_lock and the global mutex live in memory that outlives every scenario. */
function pinnedLock(s: usize, t: i32, off: usize): bool {
  const bit = moverLockBit(off);
  let f = -1;
  if (bit >= FP_FILE && bit < FP_EPOLL) f = bit - FP_FILE;
  else if (bit >= FP_EPOLL && bit < FP_GLOBAL) f = epFile(bit - FP_EPOLL);
  else return true;
  if (f < 0 || f >= nFiles) return false;
  const ta = s + <usize>(offThreads + t * threadStride);
  const v = <u8>(f + 1);
  for (let k = 0; k < NHELD; k++) if (load<u8>(ta + <usize>(T_HELD + k)) == v) return true;
  return load<u8>(ta + <usize>T_UHELD) == v;
}

/** Is byte `off` (changed from a to b) an ep->rbr field of a linked epitem — its flags, event mask or data — whose
 *  eventpoll the step wrote under ep->mtx (protected writes `protW`)? The only fields a protected write changes. */
function protectedByte(a: usize, b: usize, off: usize, protW: u64): bool {
  if (protW == 0) return false;
  const il = <usize>offItems;
  if (off < il || off >= il + <usize>(nItems * I_SIZE)) return false;
  const field = (off - il) % <usize>I_SIZE;
  if (field != <usize>I_FLAGS && field != <usize>I_EVENTS && field != <usize>I_DATA) return false;
  const rec = off - field;
  const ep = <i32>load<u8>(a + rec + <usize>I_EP);
  if (ep == 0 || <i32>load<u8>(b + rec + <usize>I_EP) != ep) return false;
  return (protW & ((<u64>1) << <u64>(FP_EPOLL + ep - 1))) != 0;
}

/** Is byte `off` the f_count of a file whose count the step changed under the reference gate (lockset.ts)? */
function gatedCount(off: usize): bool {
  const gated = kStepRefGated();
  if (gated == 0) return false;
  const fl = <usize>offFiles;
  if (off < fl || off >= fl + <usize>(nFiles * F_SIZE) || (off - fl) % <usize>F_SIZE != <usize>F_REF) return false;
  return (gated & (<u32>1 << <u32>((off - fl) / <usize>F_SIZE))) != 0;
}

/** The state whose bounds por.ts holds (computed once per expanded state); reset by forgetBounds. */
let boundsOf: usize = 0;
export function forgetBounds(): void {
  boundsOf = 0;
}

/** After classify() of the step of t from a to b: must state b be judged? */
function mustJudge(a: usize, b: usize, t: i32): bool {
  if (!quiet || load<u8>(b + <usize>G_VIOL) != 0) return true;
  const ta = <usize>(offThreads + t * threadStride);
  for (let k = 0; k < NHELD; k++) {
    if (load<u8>(a + ta + <usize>(T_HELD + k)) != load<u8>(b + ta + <usize>(T_HELD + k))) return true;
  }
  return load<u8>(a + ta + <usize>T_UHELD) != load<u8>(b + ta + <usize>T_UHELD);
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
    if (boundsOf != src) {
      computeBounds(src); // the other threads do not move during the transaction: their bounds stay these
      boundsOf = src;
    }
    const c0 = classify(src, dst, t, r, w);
    let judgeIt = mustJudge(src, dst, t);
    let committed = c0 == MV_NON || c0 == MV_LEFT;
    if (checkMovers && c0 != MV_NON) checkCommutes(src, dst, t, fault, c0, txLastLabel);
    while (n < MAX_STEPS) {
      if (judgeIt && judge(dst, objs)) break; // a violation ends the transaction at its own state
      if (kStep(dst, tmp, t, false) != StepStatus.Ok) break;
      if (kSawFaultPoint() && faultBudget > 0 && kFaultsUsed(dst) < faultBudget) break;
      const r2 = kStepReads();
      const w2 = kStepWrites();
      const label = kLastLabel();
      const c = classify(dst, tmp, t, r2, w2);
      if ((c == MV_NON || c == MV_RIGHT) && committed) break;
      // A nested acquisition (of any class) starts a new transaction: ABBA deadlocks form exactly there.
      if (takesLock(dst, tmp, t) && holdsLock(dst, t)) break;
      if (c == MV_LEFT && !committed) committed = true;
      if (c == MV_NON) committed = true;
      if (checkMovers && c != MV_NON) checkCommutes(dst, tmp, t, false, c, label);
      judgeIt = mustJudge(dst, tmp, t);
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
  moverDetail = 0;
  moverChecks = 0;
  moverPairs = 0;
}

/** Why the last check failed: 1 the two orders are not both possible, 2 + byte offset where their states differ,
 *  0x10000 their findings differ. */
export let moverDetail: u32 = 0;

/** Compare two states, ignoring the header bytes that only say what the last step found or did (the findings are
 *  compared apart; the watched-return mark belongs to whichever step came last, and a step an expectation can see
 *  is never a mover). */
function sameState(a: usize, b: usize): bool {
  for (let i: usize = 0; i < stateBytes; i++) {
    if (i == <usize>G_VIOL || i == <usize>G_VIOL_OBJ || i == <usize>G_VIOL_KIND || i == <usize>G_RETURNED) continue;
    if (load<u8>(a + i) != load<u8>(b + i)) {
      moverDetail = 2 + <u32>i;
      return false;
    }
  }
  return true;
}

/** The findings of a two-step path as a set (two codes, sorted, zero meaning none). */
function findings(a: u32, b: u32): u32 {
  if (a == b) b = 0;
  if (a == 0 || (b != 0 && b < a)) {
    const c = a;
    a = b;
    b = c;
  }
  return (a << 8) | b;
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
      // A fatal finding ends a path (the search does not expand that state): its second step does not count.
      const stopX = vx != 0 && kIsFatal(<i32>vx);
      const stopT = vt != 0 && kIsFatal(<i32>vt);
      let bad = false;
      moverDetail = 1;
      if (!stopX && !stopT) {
        if (cls != MV_LEFT && okTX && !okXT) bad = true; // right: t·x must be possible as x·t
        if (cls != MV_RIGHT && okXT && !okTX) bad = true; // left: x·t must be possible as t·x
        if (!bad && okXT && okTX && !sameState(sxt, stx)) bad = true;
      }
      if (!bad) {
        const f1 = findings(vx, stopX || !okXT ? 0 : vxt);
        const f2 = findings(vt, stopT || !okTX ? 0 : vtx);
        // Both orders ran (or ended on a fatal finding): they must report the same properties.
        if ((okXT || stopX) && (okTX || stopT) && f1 != f2) {
          moverDetail = 0x10000;
          bad = true;
        }
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
