// Per-thread execution machinery: routine frames, calls and returns, held references, violations, fault choice.
// A kernel routine is a step program: `pc` selects the atomic step to run next; registers r0..r7 and the two
// epitem pointers are its locals. Everything lives in the state vector so that a state captures every thread's
// exact position inside the kernel.

import {
  DANGLING, FR_EPI, FR_NXT, FR_PC, FR_R, FR_ROUTINE, FR_SIZE, G_FAULTS, G_VIOL, G_VIOL_KIND, G_VIOL_OBJ, MAX_DEPTH, NHELD,
  T_DEPTH, T_HELD, T_OPRET, T_RV, gAddr, nThreads, offFrames, threadAddr,
} from './layout';
import { Step } from './steps';
import { Access, MemField, MemObj, Viol } from './codes';
import { FaultSite, chargeFault, faultSiteOpen } from './fault_sites';
export { FaultSite };

/** Thread executing the current step. */
export let cur: i32 = 0;
/** Fault choice of the current step: true = the allocation at a fault point fails. */
export let injectFault: bool = false;
/** Set when the current step contained a fault point (so the explorer also tries the failing branch). */
export let sawFaultPoint: bool = false;
/** Label of the last executed step, for traces. */
export let lastLabel: i32 = 0;
/** Lock the current step is waiting for when it is blocked (LockClass << 8 | instance), 0 otherwise. */
export let blockedOn: i32 = 0;

/** The step's footprint: which shared objects it read and wrote (bits: FP_* below). Thread-private state
 *  (frames, held references, task_work) has no bit. Used by partial-order reduction in the explorer. */
export let fpReads: u64 = 0;
export let fpWrites: u64 = 0;
export const FP_TABLE: i32 = 0; // + table index (0..7): fd slots and file_lock
export const FP_FILE: i32 = 8; // + file index (0..15): count, life, f_lock, f_ep list
export const FP_EPOLL: i32 = 24; // + epoll index (0..7): mtx, rbr, refcount, life
export const FP_GLOBAL: i32 = 32; // epmutex, epoll_watches, loop_check_gen, tfile_check_list, fault budget
export const FP_ITEMS: i32 = 33; // the epitem allocator and saved epitem pointers (alloc, free, dereference)

/** Whether the step touched anything shared beyond the lock operations themselves (the owner byte of the lock it
 *  took or dropped, and the liveness check of the struct around it). A step that did not is a Lipton mover for the
 *  explorer's transaction reduction: the footprint bit of a lock is its whole object (slots and file_lock share
 *  one), so the bits alone cannot tell "took file_lock" from "took file_lock and read a slot". */
export let fpBeyondLocks: bool = false;

// @ts-ignore: decorator
@inline export function fpRead(bit: i32): void {
  fpReads |= (<u64>1) << <u64>bit;
  fpBeyondLocks = true;
}
// @ts-ignore: decorator
@inline export function fpWrite(bit: i32): void {
  fpWrites |= (<u64>1) << <u64>bit;
  fpBeyondLocks = true;
}
/** The footprint of a lock operation (model/locks.ts): its object's bit, without counting as a further access. */
export function fpLockOp(bit: i32): void {
  fpWrites |= (<u64>1) << <u64>bit;
  fpStepLocks |= (<u64>1) << <u64>bit;
}
export function setBeyondLocks(v: bool): void {
  fpBeyondLocks = v;
}

/** Footprint bits the step accessed under the lock that the lockset discipline (model/lockset.ts) says protects
 *  them, and those of them it wrote. Such accesses are in fpReads/fpWrites too (partial-order reduction sees every
 *  access) but do not set fpBeyondLocks: for the transaction reduction they commute with every other thread's
 *  step, since no other thread can touch that memory without the same lock. */
export let fpProtected: u64 = 0;
export let fpProtWrites: u64 = 0;
// @ts-ignore: decorator
@inline export function fpProtectedRead(bit: i32): void {
  fpReads |= (<u64>1) << <u64>bit;
  fpProtected |= (<u64>1) << <u64>bit;
}
// @ts-ignore: decorator
@inline export function fpProtectedWrite(bit: i32): void {
  fpWrites |= (<u64>1) << <u64>bit;
  fpProtected |= (<u64>1) << <u64>bit;
  fpProtWrites |= (<u64>1) << <u64>bit;
}
/** Lock objects (footprint bits) the step took or dropped: a write made in the same atomic step as an
 *  acquisition (fd_install's lock/unlock around its store) excludes every other holder of that lock too. */
export let fpStepLocks: u64 = 0;
/** Files (bit per file) whose f_count the step changed under the reference gate (model/lockset.ts refDropStable):
 *  the one shared byte outside the lock disciplines that a mover may change. */
export let fpRefGated: u32 = 0;
export function setRefGated(f: i32): void {
  fpRefGated |= <u32>1 << f;
}

export function beginStep(t: i32, fault: bool): void {
  cur = t;
  injectFault = fault;
  sawFaultPoint = false;
  lastLabel = 0;
  blockedOn = 0;
  fpReads = 0;
  fpWrites = 0;
  fpBeyondLocks = false;
  fpProtected = 0;
  fpProtWrites = 0;
  fpStepLocks = 0;
  fpRefGated = 0;
  memKind = 0;
  memObj = 0;
  memIdx = 0;
  memField = 0;
}

/** A step that must wait (for a lock, a completion, the freezer): not enabled now. Always returns false. */
export function setBlocked(id: i32): bool {
  blockedOn = id;
  return false;
}

export function label(s: Step): void {
  lastLabel = s;
}

/** An allocation that may fail, at fault site `site` (model/fault_sites.ts). Returns true when this run injects
 *  the failure. */
export function faultPoint(site: i32 = -1): bool {
  fpRead(FP_GLOBAL); // whether the failing branch exists depends on the faults used so far
  if (!faultSiteOpen(site)) return false; // this site's own budget is used up (option faults SITE:N)
  sawFaultPoint = true;
  if (injectFault) {
    fpWrite(FP_GLOBAL);
    chargeFault(site);
    return true;
  }
  return false;
}

/** Violations after which exploring further means nothing (memory or reference state is corrupt, or a task can
 *  never run again). The others (protocol and design findings) are reported and the search goes on past them,
 *  so that every property of a scenario gets its own verdict. */
export function isFatal(v: i32): bool {
  return (
    v == Viol.UafFile || v == Viol.UafItem || v == Viol.UafEp || v == Viol.RefUnderflow || v == Viol.RefMismatch ||
    v == Viol.CloseZeroCount || v == Viol.Watchers || v == Viol.RecursiveLock || v == Viol.LockHeldAtReturn ||
    v == Viol.RefLeak || v == Viol.Capacity || v == Viol.DanglingFile || v == Viol.EpRefcount || v == Viol.UafFdt
  );
}

/** The bad memory access of the current step, when it is the step's violation (for KASAN-style reports: the host
 *  reads these right after the step, like lastLabel). */
export let memKind: i32 = 0;
export let memObj: i32 = 0;
export let memIdx: i32 = 0;
export let memField: i32 = 0;

/** Record a use-after-free (or a bad free) with what was touched, if it is the step's first violation. */
export function memViolate(v: Viol, obj: MemObj, idx: i32, field: MemField, kind: Access): void {
  if (load<u8>(gAddr(G_VIOL)) != 0) return;
  violate(v, idx);
  store<u8>(gAddr(G_VIOL_KIND), <u8>kind);
  memKind = kind;
  memObj = obj;
  memIdx = idx;
  memField = field;
}

/** Record a violation (the first one of a step wins). */
export function violate(v: Viol, obj: i32): void {
  if (load<u8>(gAddr(G_VIOL)) == 0) {
    store<u8>(gAddr(G_VIOL), <u8>v);
    store<u8>(gAddr(G_VIOL_OBJ), <u8>obj);
  }
}

// ---- frames ----------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function depth(t: i32): i32 {
  return load<u8>(threadAddr(t) + T_DEPTH);
}
// @ts-ignore: decorator
@inline export function frameAddr(t: i32, d: i32): usize {
  return threadAddr(t) + <usize>(offFrames + d * FR_SIZE);
}
/** Top frame of the current thread. */
// @ts-ignore: decorator
@inline export function top(): usize {
  return frameAddr(cur, depth(cur) - 1);
}
// @ts-ignore: decorator
@inline export function pc(): i32 {
  return load<u8>(top() + FR_PC);
}
// @ts-ignore: decorator
@inline export function setPc(p: i32): void {
  store<u8>(top() + FR_PC, <u8>p);
}
// @ts-ignore: decorator
@inline export function r(i: i32): i32 {
  return load<u8>(top() + FR_R + <usize>i);
}
// @ts-ignore: decorator
@inline export function setR(i: i32, v: i32): void {
  store<u8>(top() + FR_R + <usize>i, <u8>v);
}
// @ts-ignore: decorator
@inline export function epi(): i32 {
  return load<u8>(top() + FR_EPI);
}
// @ts-ignore: decorator
@inline export function setEpi(v: i32): void {
  store<u8>(top() + FR_EPI, <u8>v);
}
// @ts-ignore: decorator
@inline export function nxt(): i32 {
  return load<u8>(top() + FR_NXT);
}
// @ts-ignore: decorator
@inline export function setNxt(v: i32): void {
  store<u8>(top() + FR_NXT, <u8>v);
}
// @ts-ignore: decorator
@inline export function rv(): i32 {
  return load<u8>(threadAddr(cur) + T_RV);
}
export function setOpret(v: i32): void {
  store<i8>(threadAddr(cur) + T_OPRET, <i8>v);
}

/** Push a frame for `routine`; it starts at its pc 0 in the thread's next step. Returns false on overflow. */
export function push(routine: i32, a: i32, b: i32, c: i32, d: i32, e: i32, f: i32): void {
  const t = threadAddr(cur);
  const dep = <i32>load<u8>(t + T_DEPTH);
  if (dep >= MAX_DEPTH) unreachable(); // the routines' call depth is static and below MAX_DEPTH
  const fr = frameAddr(cur, dep);
  store<u8>(fr + FR_ROUTINE, <u8>routine);
  store<u8>(fr + FR_PC, 0);
  store<u8>(fr + FR_R + 0, <u8>a);
  store<u8>(fr + FR_R + 1, <u8>b);
  store<u8>(fr + FR_R + 2, <u8>c);
  store<u8>(fr + FR_R + 3, <u8>d);
  store<u8>(fr + FR_R + 4, <u8>e);
  store<u8>(fr + FR_R + 5, <u8>f);
  store<u8>(fr + FR_R + 6, 0);
  store<u8>(fr + FR_R + 7, 0);
  store<u8>(fr + FR_EPI, 0);
  store<u8>(fr + FR_NXT, 0);
  store<u8>(t + T_DEPTH, <u8>(dep + 1));
}

/** Return from the top routine with value v (delivered to the caller as rv()). Clears the frame so that
 *  finished frames never make two equal states look different. */
export function ret(v: i32): void {
  const t = threadAddr(cur);
  const dep = <i32>load<u8>(t + T_DEPTH);
  memory.fill(frameAddr(cur, dep - 1), 0, FR_SIZE);
  store<u8>(t + T_DEPTH, <u8>(dep - 1));
  store<u8>(t + T_RV, <u8>v);
}

/** Finish the running syscall with return value v (negative errno or a result >= 0). */
export function opReturn(v: i32): void {
  setOpret(v);
  ret(0);
}

// ---- references held by the running syscall ------------------------------------------------------------

/** Add one reference on file f to the current thread's held multiset (kept sorted so states stay canonical). */
export function holdRef(f: i32): void {
  const base = threadAddr(cur) + T_HELD;
  let v = <u8>(f + 1);
  for (let i = 0; i < NHELD; i++) {
    const x = load<u8>(base + <usize>i);
    if (x < v) {
      store<u8>(base + <usize>i, v);
      if (x == 0) return;
      v = x;
    }
  }
  unreachable(); // more than NHELD simultaneous references in one syscall: a model bug
}

/** Drop one reference on file f from the current thread's held multiset. Returns false if it held none. */
export function dropRef(f: i32): bool {
  const base = threadAddr(cur) + T_HELD;
  const v = <u8>(f + 1);
  for (let i = 0; i < NHELD; i++) {
    if (load<u8>(base + <usize>i) == v) {
      for (let j = i; j < NHELD - 1; j++) store<u8>(base + <usize>j, load<u8>(base + <usize>(j + 1)));
      store<u8>(base + <usize>(NHELD - 1), 0);
      return true;
    }
  }
  return false;
}

/** Count references thread t holds on file f. */
export function heldCount(t: i32, f: i32): i32 {
  const base = threadAddr(t) + T_HELD;
  let n = 0;
  for (let i = 0; i < NHELD; i++) if (load<u8>(base + <usize>i) == <u8>(f + 1)) n++;
  return n;
}

/** After epitem i is freed, every saved pointer to it in any frame becomes dangling: dereferencing it later is a
 *  use-after-free (epitems are freed through call_rcu, and none of the modelled walkers is in an RCU section). */
export function danglePointersTo(item: i32): void {
  const v = <u8>(item + 1);
  for (let t = 0; t < nThreads; t++) {
    const dep = <i32>load<u8>(threadAddr(t) + T_DEPTH);
    for (let d = 0; d < dep; d++) {
      const fr = frameAddr(t, d);
      if (load<u8>(fr + FR_EPI) == v) store<u8>(fr + FR_EPI, v | DANGLING);
      if (load<u8>(fr + FR_NXT) == v) store<u8>(fr + FR_NXT, v | DANGLING);
    }
  }
}

// ---- probes (model/atoms.ts) -----------------------------------------------------------------------------

let savedCur: i32 = 0;
let savedFault: bool = false;
let savedSaw: bool = false;
let savedLabel: i32 = 0;
let savedBlocked: i32 = 0;
let savedReads: u64 = 0;
let savedWrites: u64 = 0;

/** Save the current step's bookkeeping before a probe runs another step on a scratch copy. */
export function saveStepGlobals(): void {
  savedCur = cur;
  savedFault = injectFault;
  savedSaw = sawFaultPoint;
  savedLabel = lastLabel;
  savedBlocked = blockedOn;
  savedReads = fpReads;
  savedWrites = fpWrites;
}

/** Put back what saveStepGlobals() saved. */
export function restoreStepGlobals(): void {
  cur = savedCur;
  injectFault = savedFault;
  sawFaultPoint = savedSaw;
  lastLabel = savedLabel;
  blockedOn = savedBlocked;
  fpReads = savedReads;
  fpWrites = savedWrites;
}
