// Per-fd-slot write bounds: which fd slots a thread's remaining operations may still store into, read off the
// scenario's operation list (the finer companion of model/search_bounds.ts, whose footprint bits cover a whole
// table). A slot that no OTHER thread may write any more is frozen for the thread that steps: a lockless read of it
// (__fget_files_rcu) returns what any order of the other threads' steps would let it return, and a reference it
// holds cannot be dropped behind the stepping thread's back (model/lockset.ts, the reference gate).
//
//   close(fd)        fd                       (close_fd)
//   dup2(old, new)   new                      (do_dup2)
//   replace(fd, F)   fd; every slot in the RFC variants, whose walks rewrite each fd that refers to the old file
//   dup(fd)          every slot (alloc_fd picks the lowest free one)
//   epoll_ctl, fget, fput: none
//   anything else    every slot of every table (fork, pidfd_getfd, ADDFD, io_uring, expand_fdtable move files
//                    between tables)
// Every slot store is checked against its thread's bound (lockset.ts slotWrite): a routine that outgrows this
// table is a discipline violation that stops a reduced search, never a silent false pass.

import { OpKind, Toggle } from './codes';
import { T_DEPTH, T_FLAGS, T_OPIDX, nThreads, opAddr, threadAddr, threadNops, threadTable, toggle } from './layout';

const ALL: u64 = 0xffffffffffffffff;
/** dispatch.ts's T_FLAGS bit for "frame 0 is task_work (__fput)". */
const IN_TASK_WORK: u8 = 1;

/** Tests only: close() writes nothing (a wrong bound on purpose, to see its stores reported). */
let narrow: bool = false;
export function slotBoundsNarrow(): void {
  narrow = true;
}

/** The bit of slot fd in a slot mask (every bit beyond 63: such a slot is told apart from none). */
export function fdBit(fd: i32): u64 {
  return fd < 64 ? (<u64>1) << <u64>fd : ALL;
}

function rfcWalks(): bool {
  return toggle(Toggle.RfcWalkV2) || toggle(Toggle.RfcV4Replace) || toggle(Toggle.RfcV7) || toggle(Toggle.RfcV6LockOrder);
}

/** The operations whose effects both bound analyses model precisely (close, dup, dup2, replace, epoll_ctl, fget,
 *  fput); any other may move files between tables. */
export function isClassic(kind: i32): bool {
  return kind >= OpKind.Close && kind <= OpKind.Fput;
}

/** Is thread q, in the current state, running task_work (__fput) after a finished operation? */
export function inTaskWork(q: i32): bool {
  const ta = threadAddr(q);
  return load<u8>(ta + T_DEPTH) > 0 && (load<u8>(ta + T_FLAGS) & IN_TASK_WORK) != 0;
}

/** The first operation of thread q that may still run, in the current state: the running one (unless only
 *  task_work after it runs), else the next. */
export function firstOpLeft(q: i32): i32 {
  const ta = threadAddr(q);
  const opidx = <i32>load<u8>(ta + T_OPIDX);
  const k = load<u8>(ta + T_DEPTH) > 0 && !inTaskWork(q) ? opidx - 1 : opidx;
  return k < 0 ? 0 : k;
}

/** The slots of table tb (bit fd) that thread q may still write, in the current state: its running operation
 *  (unless it is only running task_work after it) and every operation after it. */
export function slotWriteBound(q: i32, tb: i32): u64 {
  const own = threadTable(q) == tb;
  let m: u64 = 0;
  for (let j = firstOpLeft(q); j < threadNops(q); j++) {
    const op = opAddr(q, j);
    const kind = <i32>load<u8>(op);
    if (!isClassic(kind)) return ALL;
    if (!own) continue;
    if (kind == OpKind.Close) m |= narrow ? 0 : fdBit(<i32>load<u8>(op + 1));
    else if (kind == OpKind.Dup2) m |= fdBit(<i32>load<u8>(op + 2));
    else if (kind == OpKind.Replace) m |= rfcWalks() ? ALL : fdBit(<i32>load<u8>(op + 1));
    else if (kind == OpKind.Dup) m |= ALL;
  }
  return m;
}

/** The slots of table tb that a thread other than t may still write. */
export function othersSlotWrites(t: i32, tb: i32): u64 {
  let m: u64 = 0;
  for (let q = 0; q < nThreads; q++) if (q != t) m |= slotWriteBound(q, tb);
  return m;
}

/** May no thread but t write slot fd of table tb any more? */
export function slotFrozenFor(t: i32, tb: i32, fd: i32): bool {
  return (othersSlotWrites(t, tb) & fdBit(fd)) == 0;
}
