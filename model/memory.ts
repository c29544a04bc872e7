// Object lifetimes and the memory each step touches, checked the way KASAN and lockdep check a running kernel.
//
// A struct file goes live -> dying (count 0, __fput queued) -> releasing (__fput running) -> freed, and how it is
// freed depends on the variant: before 0ede61d8589c file_free() queues call_rcu(file_free_rcu), so RCU readers
// whose read-side section began before the free may still touch it until the grace period ends; since then it is
// kmem_cache_free() into a SLAB_TYPESAFE_BY_RCU cache: the memory is reused at once by another struct file, and a
// reader in such a section reads whatever file now lives there (never unmapped memory, maybe another object).
// struct eventpoll is kfree()d at once (ep_free), epitems through call_rcu (see frame.ts danglePointersTo), old
// fdtables through call_rcu (routines/expand.ts).
//
// Read-side sections: rcu_read_lock() in __fget's lockless lookup (explicit), and every
// spin_lock() region (preemption is off, which is an RCU read-side critical section since the flavours were
// consolidated in v4.20). A pending free records, per thread, whether that thread was such a reader holding a
// pointer to the object at the moment of the free (F_RCU); the bit goes when the reader leaves (spin_unlock, end
// of fget), and the grace period ends — the deferred free runs — when the last bit goes. An access to a freed
// object is legal only for a thread whose bit is still set; any other access is a use-after-free.
// The grace period is folded into the step where the last pre-existing reader leaves (or the free itself when
// there is none): the legality of every access depends only on whether the accessing section began before the
// free, never on how long after the readers' exit the grace period ends, so a separate step would only multiply
// interleavings without changing a verdict.

import { Access, EpLife, Life, MemField, MemObj, Routine, Toggle, Viol } from './codes';
import {
  E_LIFE, E_MTX, F_LIFE, F_LOCK, F_RCU, F_REUSE, FR_PC, FR_R, FR_ROUTINE, T_DEPTH, epAddr, fileAddr, nFiles, nThreads,
  threadAddr, toggle,
} from './layout';
import { FP_EPOLL, FP_FILE, cur, frameAddr, fpRead, fpWrite, memViolate, violate } from './frame';
import { fileLifeRead } from './lockset';

// @ts-ignore: decorator
@inline function bitOf(t: i32): u8 {
  return <u8>(<i32>1 << t);
}

/** The unreferenced file pointer the explicit section of thread t holds: __fget_files_rcu between reading the
 *  slot and get_file_rcu (its frame at pc 1, the pointer in r1). Before the read and after the increment the
 *  section holds no pointer that only RCU keeps valid (the frame's pc encodes where in the section it is, so the
 *  section needs no state of its own). */
function rcuPointer(t: i32): i32 {
  const dep = <i32>load<u8>(threadAddr(t) + T_DEPTH);
  if (dep == 0) return -1;
  const fr = frameAddr(t, dep - 1);
  if (<i32>load<u8>(fr + FR_ROUTINE) != Routine.Fget || load<u8>(fr + FR_PC) != 1) return -1;
  return <i32>load<u8>(fr + FR_R + 1);
}

/** Threads whose read-side section holds a pointer to file f now: the holder of f's f_lock, and a lockless
 *  __fget whose saved pointer is f. */
function readersOf(f: i32): u8 {
  let m: u8 = 0;
  const owner = <i32>load<u8>(fileAddr(f) + F_LOCK);
  if (owner != 0) m |= bitOf(owner - 1);
  for (let t = 0; t < nThreads; t++) {
    if (rcuPointer(t) == f) m |= bitOf(t);
  }
  return m;
}

/** Does another thread hold a lockless __fget pointer to file f, about to file_ref_get it? */
export function locklessGetter(f: i32): bool {
  for (let t = 0; t < nThreads; t++) {
    if (t != cur && rcuPointer(t) == f) return true;
  }
  return false;
}

/** Is file f's memory gone for everyone but its pre-existing readers? */
export function fileGone(f: i32): bool {
  const l = <i32>load<u8>(fileAddr(f) + F_LIFE);
  return l == Life.Freed || l == Life.RcuPending;
}

/** Does the current thread's read-side section still protect its pointer to freed file f? */
export function rcuProtected(f: i32): bool {
  return (load<u8>(fileAddr(f) + F_RCU) & bitOf(cur)) != 0;
}

/** The current step touches file f's `field`. false (after reporting the use-after-free) if its memory is gone
 *  and no read-side section that began before the free protects this thread's pointer. */
export function fileAccess(f: i32, field: MemField, kind: Access): bool {
  const gone = fileGone(f);
  fileLifeRead(FP_FILE + f, f, gone);
  if (!gone || rcuProtected(f)) return true;
  memViolate(Viol.UafFile, MemObj.File, f, field, kind);
  return false;
}

/** The current step touches eventpoll ep's `field` (kfree'd at once: no reader is protected). */
export function epAccess(ep: i32, field: MemField, kind: Access): bool {
  fpRead(FP_EPOLL + ep);
  if (load<u8>(epAddr(ep) + E_LIFE) != <u8>EpLife.Freed) return true;
  memViolate(Viol.UafEp, MemObj.Eventpoll, ep, field, kind);
  return false;
}

/** file_free() at the end of __fput, in the variant's flavour. */
export function fileFree(f: i32): void {
  fpWrite(FP_FILE + f);
  const a = fileAddr(f);
  if (fileGone(f)) {
    memViolate(Viol.UafFile, MemObj.File, f, MemField.Whole, Access.DoubleFree);
    return;
  }
  const readers = readersOf(f);
  store<u8>(a + F_RCU, readers);
  if (readers != 0 && !toggle(Toggle.FileTypesafeRcu)) store<u8>(a + F_LIFE, <u8>Life.RcuPending);
  else reclaimFile(f);
}

/** The memory really goes back to the allocator (kmem_cache_free): lockdep's debug_check_no_locks_freed. */
function reclaimFile(f: i32): void {
  const a = fileAddr(f);
  store<u8>(a + F_LIFE, <u8>Life.Freed);
  if (load<u8>(a + F_LOCK) != 0) violate(Viol.FreeWhileLocked, f);
}

/** The current thread's section stops protecting its pointer to file f; the last such reader ends the grace
 *  period of a call_rcu'd file, whose deferred free runs now. */
export function rcuDrop(f: i32): void {
  const a = fileAddr(f);
  const m = load<u8>(a + F_RCU);
  if ((m & bitOf(cur)) == 0) return;
  fpWrite(FP_FILE + f);
  const left = m & ~bitOf(cur);
  store<u8>(a + F_RCU, left);
  if (left == 0 && <i32>load<u8>(a + F_LIFE) == Life.RcuPending) reclaimFile(f);
}

/** ep_free's kfree(ep): freeing an eventpoll whose mtx is held is lockdep's "held lock freed!". */
export function epFreeMemory(ep: i32): void {
  fpWrite(FP_EPOLL + ep);
  const a = epAddr(ep);
  if (load<u8>(a + E_LIFE) == <u8>EpLife.Freed) {
    memViolate(Viol.UafEp, MemObj.Eventpoll, ep, MemField.Whole, Access.DoubleFree);
    return;
  }
  store<u8>(a + E_LIFE, <u8>EpLife.Freed);
  if (load<u8>(a + E_MTX) != 0) violate(Viol.FreeWhileLocked, 16 + ep);
}

/** SLAB_TYPESAFE_BY_RCU: a new struct file x takes the memory of a freed one that a reader still points to (the
 *  slab's freelist is LIFO; reusing exactly such an object is the case a lockless reader must survive). */
export function fileAllocReuse(x: i32): void {
  if (!toggle(Toggle.FileTypesafeRcu)) return;
  for (let f = 0; f < nFiles; f++) {
    const a = fileAddr(f);
    if (f != x && <i32>load<u8>(a + F_LIFE) == Life.Freed && load<u8>(a + F_RCU) != 0 && load<u8>(a + F_REUSE) == 0) {
      fpWrite(FP_FILE + f);
      store<u8>(a + F_REUSE, <u8>(x + 1));
      return;
    }
  }
}

/** The object a protected reader finds at freed file f's address: the file that reused the memory, or f. */
export function occupant(f: i32): i32 {
  if (!fileGone(f)) return f;
  const x = <i32>load<u8>(fileAddr(f) + F_REUSE);
  return x != 0 ? x - 1 : f;
}
