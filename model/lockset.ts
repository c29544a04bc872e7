// Lockset discipline: which lock protects which shared field group, declared once per scenario and checked at
// every access (Eraser's discipline, used here for Lipton reduction as in Flanagan & Qadeer, "Transactions for
// software model checking", SoftMC 2003). An access the discipline covers is *protected*: no other thread can
// touch that memory in a conflicting way while the accessing thread holds the lock, so the access commutes with
// every other thread's step and checker/wasm/transaction.ts may classify it as a both-mover.
//
//   fd slots       writers hold the table's file_lock (close_fd, dup2, replace_fd, alloc_fd; before 8a81252b774b
//                  fd_install takes and drops it in the step of its store), except a store into a slot the
//                  writer reserved (fd_install since 8a81252b774b, put_unused_fd); readers may be lockless
//                  (__fget_files_rcu). So a slot READ under file_lock that finds no reservation is protected
//                  (no other thread can change that slot before the lock is dropped), a read of a reserved slot
//                  is not, and every slot WRITE is a non-mover (a lockless reader sees it).
//   ep->rbr        every access holds ep->mtx (ep_find, ep_insert's rbtree insert, ep_remove's erase, ep_modify's
//                  event/data update, the rbtree walks of ep_send_events, ep_clear_and_put, ep_free, the loop
//                  check's walk): reads and writes under ep->mtx are protected. Two exceptions: with nested
//                  epolls, an item on an epoll file is an edge of the epoll graph, which the depth walks of the
//                  loop check and the cycle invariant read under the global mutex alone (its rbtree writes are
//                  non-movers, still checked to hold ep->mtx); the RFC v7 variant's eventpoll_replace_file reads
//                  an item's event/data under f_lock, so there the group is declared lockless.
//   epitem life    an epitem is freed (kfree / call_rcu: its saved pointers in other frames dangle) only under its
//                  ep->mtx (ep_remove, eventpoll_release_file, ep_clear_and_put): dereferencing a saved epitem
//                  pointer while holding that ep->mtx is protected (the item cannot go away under it, and the
//                  fields read through it, its ep and file, never change while it lives).
//   file life      a struct file stays live while a task holds a counted reference to it (the task's own held
//                  references, model/frame.ts holdRef): its liveness check (the KASAN-style check before every
//                  access) and filp_close's "file count is 0" test are then protected reads, whose outcome no
//                  other thread's step can change. The discipline is checked by the reference invariant itself:
//                  a task's held references are part of the count, so a state where a pinned file's count
//                  reaches zero or its life ends violates it (a fatal finding: holders != f_count, or a freed
//                  file still held), and that state is judged in the reduced search like every state after a
//                  non-mover (the step that drops a count is one).
//   poll wait      an epitem's poll-wait registration (ep_ptable_queue_proc / ep_unregister_pollwait) is written
//                  under ep->mtx by ep_insert and ep_remove, and without it by ep_free (v6.2: under the global
//                  mutex) when nobody else can reach the eventpoll; no step reads it. A write under ep->mtx is
//                  protected. The discipline checked is the one the reduction needs: a write without ep->mtx while
//                  ANOTHER thread holds it is a violation (only steps that run while a thread holds the lock are
//                  ever swapped with its protected accesses).
//   f_count        no lock protects it, but a reference can: fput's decrement by a task that drops one of its own
//                  references commutes with every other task's step when, after it, references that no OTHER task
//                  can drop still keep the count above zero (the reference gate, refDropStable below). Then no
//                  order of the decrement and another task's get or put makes anyone see zero: nobody's
//                  dec_and_test succeeds, no inc_not_zero fails, and the sum is the same. A reference no other
//                  task can drop is one the task holds itself, or an fd slot in a table that no other task may
//                  still write (its future-footprint bound, model/search_bounds.ts, checked at run time) or whose
//                  file_lock the task holds (every slot writer takes it, stores into reserved slots aside, and
//                  those drop no reference). Other tasks only lower such a count by puts of references they hold
//                  (counted against the gate) or of references they never took (a fatal finding, RefMismatch,
//                  which ends the path in either order). The gate is preserved by every other task's step, so
//                  the decrement can be moved across any number of them.
// Everything else (the count's other accesses, ep->refcount, f_ep lists read locklessly by eventpoll_release,
// object lifetimes, the epitem allocator, frees) has no lock that all its accesses hold: every access to it is a
// non-mover.
//
// A scenario whose variant breaks a discipline by design (the RFC v2 walk writing slots without file_lock)
// declares that group lockless instead. An access that breaks a declared discipline anyway is
// a model bug for the reduction: the first one is recorded (disciplineStep/disciplineLock) and the host stops a
// reduced search on it. It is reachable in the reduced graph: every step before it was classified from accesses
// that kept the discipline, so the reduction up to it was exact (Flanagan & Qadeer's argument).

import { LockClass, Toggle } from './codes';
import { C_URING, CFG, F_REF, NHELD, SLOT_RESERVED, T_HELD, T_UHELD, U_SLOTS, fileAddr, nSlots, nTables, nThreads, slotAddr,
  threadAddr, toggle, uringAddr } from './layout';
import { cur, fpProtectedRead, fpProtectedWrite, fpRead, fpStepLocks, fpWrite, heldCount, lastLabel } from './frame';
import { lockAddr, lockId } from './locks';
import { fdBit, othersSlotWrites, slotFrozenFor, slotWriteBound } from './slot_bounds';

export const GROUP_SLOTS: i32 = 1;
export const GROUP_RBR: i32 = 2;
export const GROUP_ITEMS: i32 = 3;
export const GROUP_PWQ: i32 = 4;
/** A slot store outside its thread's slot bound (model/slot_bounds.ts); the "lock" is table << 8 | fd. */
export const GROUP_SLOT_BOUND: i32 = 5;

/** The disciplines declared for the configured scenario (locksetInit). Off: every access is a non-mover. */
let slotsLocked: bool = false;
let rbrLocked: bool = false;
/** An epoll may watch an epoll file: items on epoll files are edges of the epoll graph that the loop check and
 *  the path limits (model/routines/loop_limits.ts) and the cycle invariant read under the global mutex alone. */
let nestedGraph: bool = true;
/** Frozen slots (model/slot_bounds.ts) count as protected: off in the variants whose slot writes break the table's
 *  discipline by design (RFC v2's walk), where the slot bounds are not relied on. */
let slotsFrozen: bool = false;
/** The frozen slots and the reference gate serve the transaction reduction only (set when it is on): the other
 *  searches do not read the protected marks, and need not pay for the bounds they consult. */
let gates: bool = false;
export function enableGates(on: bool): void {
  gates = on;
}

/** First discipline violation: thread + 1 | group << 4 | step label << 8 (0: none), and the lock it lacked. */
export let disciplineStep: u32 = 0;
export let disciplineLock: u32 = 0;
export function resetDiscipline(): void {
  disciplineStep = 0;
  disciplineLock = 0;
}

function violation(group: i32, id: i32): void {
  if (disciplineStep != 0) return;
  disciplineStep = <u32>(cur + 1) | (<u32>group << 4) | (<u32>lastLabel << 8);
  disciplineLock = <u32>id;
}

/** Declare the disciplines for the configured scenario; `nested`: an epoll may watch an epoll file. */
export function locksetInit(nested: bool): void {
  slotsLocked = !toggle(Toggle.RfcWalkV2);
  slotsFrozen = slotsLocked;
  rbrLocked = !toggle(Toggle.RfcV7); // RFC v7 reads an item's event/data under f_lock alone
  nestedGraph = nested;
}

/** Tests only: every group locked, so that a variant that breaks a discipline by design trips the check. */
export function locksetStrict(): void {
  slotsLocked = true;
  rbrLocked = true;
}

// @ts-ignore: decorator
@inline function holds(id: i32): bool {
  return load<u8>(lockAddr(id)) == <u8>(cur + 1);
}

/** A read of slot fd of table `tb` (footprint bit `bit`) that found `v`: protected under file_lock when it is not
 *  reserved (fd_install stores into a reservation without the lock), and also without any lock when no other
 *  thread may write that slot any more (model/slot_bounds.ts: a lockless __fget_files_rcu of a slot nobody else
 *  touches returns the same whatever the other threads do). */
export function slotRead(bit: i32, tb: i32, fd: i32, v: u8): void {
  if (slotsLocked && v != <u8>SLOT_RESERVED && holds(lockId(LockClass.FileTable, tb))) fpProtectedRead(bit);
  else if (gates && slotsFrozen && slotFrozenFor(cur, tb, fd)) fpProtectedRead(bit);
  else fpRead(bit);
}

/** A write of slot fd of table `tb` over `old`: never a mover. The writer holds file_lock, or took it in this
 *  very step, or stores into a slot it reserved (fd_install since 8a81252b774b, put_unused_fd's store). */
export function slotWrite(bit: i32, tb: i32, fd: i32, old: u8): void {
  fpWrite(bit);
  if (gates && slotsFrozen && (slotWriteBound(cur, tb) & fdBit(fd)) == 0) {
    violation(GROUP_SLOT_BOUND, (tb << 8) | fd); // outside model/slot_bounds.ts: frozen slots would be wrong
  }
  if (!slotsLocked || old == <u8>SLOT_RESERVED) return;
  const id = lockId(LockClass.FileTable, tb);
  if (!holds(id) && (fpStepLocks & ((<u64>1) << <u64>bit)) == 0) violation(GROUP_SLOTS, id);
}

/** An access to eventpoll ep's rbtree (membership, and the event/data of its items): footprint bit `bit`.
 *  `edge`: the write changes an item on an epoll file, which is part of the epoll graph when epolls nest (read
 *  without ep->mtx by the loop check's depth walks): then it is not a mover, but it still must hold ep->mtx. */
export function rbrAccess(bit: i32, ep: i32, write: bool, edge: bool = false): void {
  if (!rbrLocked || (write && edge && nestedGraph)) {
    if (write) fpWrite(bit);
    else fpRead(bit);
    if (rbrLocked && !holds(lockId(LockClass.EpMtx, ep))) violation(GROUP_RBR, lockId(LockClass.EpMtx, ep));
    return;
  }
  const id = lockId(LockClass.EpMtx, ep);
  if (holds(id)) {
    if (write) fpProtectedWrite(bit);
    else fpProtectedRead(bit);
    return;
  }
  if (write) fpWrite(bit);
  else fpRead(bit);
  violation(GROUP_RBR, id);
}

/** Freeing an epitem still linked in ep's rbtree changes the tree: only under ep->mtx (ep_remove erases it first). */
export function rbrFree(ep: i32): void {
  if (rbrLocked && !holds(lockId(LockClass.EpMtx, ep))) violation(GROUP_RBR, lockId(LockClass.EpMtx, ep));
}

/** Dereference of a saved pointer to epitem `item` of eventpoll ep on file f (epitem.ts curItem). */
export function itemDeref(itemsBit: i32, epBit: i32, fileBit: i32, ep: i32): void {
  if (holds(lockId(LockClass.EpMtx, ep))) {
    fpProtectedRead(itemsBit);
    fpProtectedRead(epBit);
    fpProtectedRead(fileBit);
  } else {
    fpRead(itemsBit);
    fpRead(epBit);
    fpRead(fileBit);
  }
}

/** Freeing an epitem: only under its ep->mtx, or a protected dereference elsewhere would be wrong. */
export function itemFreeCheck(ep: i32): void {
  if (!holds(lockId(LockClass.EpMtx, ep))) violation(GROUP_ITEMS, lockId(LockClass.EpMtx, ep));
}

/** The liveness check of file f before an access (memory.ts fileAccess): protected while this task pins f. */
export function fileLifeRead(bit: i32, f: i32, gone: bool): void {
  if (!gone && heldCount(cur, f) > 0) fpProtectedRead(bit);
  else fpRead(bit);
}

/** filp_close's file_count(filp) == 0 test on file f: protected while this task pins f. */
export function fileZeroTest(bit: i32, f: i32): void {
  if (heldCount(cur, f) == 0) {
    fpRead(bit);
    return;
  }
  fpProtectedRead(bit);
}


/** A write of an epitem's poll-wait registration, of eventpoll ep (footprint bits epBit, fileBit). */
export function pwqWrite(epBit: i32, fileBit: i32, ep: i32): void {
  const id = lockId(LockClass.EpMtx, ep);
  const owner = <i32>load<u8>(lockAddr(id));
  if (owner == cur + 1) {
    fpProtectedWrite(epBit);
    fpProtectedWrite(fileBit);
    return;
  }
  fpWrite(epBit);
  fpWrite(fileBit);
  if (owner != 0) violation(GROUP_PWQ, id);
}

// ---- the reference gate (f_count) ---------------------------------------------------------------------------

/** fput's decrement of f's count by the current task, which drops one of its own references to f: do references
 *  that no other task can drop keep the count above zero after it? Only when the holders the state records add up
 *  to the count (otherwise the reference invariant is about to fail and nothing is assumed). */
export function refDropStable(f: i32): bool {
  if (!gates) return false;
  const v = <u8>(f + 1);
  const c = <i32>load<u8>(fileAddr(f) + F_REF);
  let own = 0;
  let others = 0;
  let frozen = 0;
  for (let u = 0; u < nThreads; u++) {
    const ta = threadAddr(u);
    let n = 0;
    for (let k = 0; k < NHELD; k++) if (load<u8>(ta + T_HELD + <usize>k) == v) n++;
    if (load<u8>(ta + T_UHELD) == v) n++; // the scenario's fget(): only its own fput() drops it
    if (u == cur) own = n;
    else others += n;
  }
  if (own == 0) return false; // a put of a reference this task never took
  if (load<u8>(CFG + C_URING) != 0) {
    for (let k = 0; k < U_SLOTS; k++) if (load<u8>(uringAddr(k)) == v) others++;
  }
  for (let tb = 0; tb < nTables; tb++) {
    // Slots other threads may still write: none while this task holds file_lock (every slot writer takes it);
    // read off their bounds only once this table is seen to hold f.
    const locked = slotsLocked && holds(lockId(LockClass.FileTable, tb));
    let w: u64 = 0;
    let known = locked;
    for (let fd = 0; fd < nSlots; fd++) {
      if (load<u8>(slotAddr(tb, fd)) != v) continue;
      if (!known) {
        w = slotsFrozen ? othersSlotWrites(cur, tb) : 0xffffffffffffffff;
        known = true;
      }
      if ((w & fdBit(fd)) == 0) frozen++;
      else others++;
    }
  }
  if (own + others + frozen != c) return false;
  return own + frozen >= 2;
}
