// Atoms of expectations that look at what a reviewer looks at: whether an op has returned, who holds a lock and
// who waits for it, an epitem's events and lifetime, an eventpoll's refcount and lifetime, the kernel function a
// thread is in, and whether every thread is back in user space. model/predicates.ts dispatches the opcodes here.

import { G_RETURNED as G_RETURNED_BYTE } from './fields';
import { Cfg } from './abi';
import { EpLife, PredOp, StepStatus } from './codes';
import {
  CFG, E_LIFE, E_REF, FR_ROUTINE, I_EVENTS, I_FD, IF_DYING, IF_RBR, S, SCRATCH, T_DEPTH, T_RETS, epAddr, nItems,
  nThreads, setState, stateSize, threadAddr,
} from './layout';
import { frameAddr, restoreStepGlobals, saveStepGlobals } from './frame';
import { NOT_RETURNED } from './init';
import { lockAddr } from './locks';
import { itemEp, itemFile, itemGet, itemHas } from './objects';
import { stepThread, threadDone } from './dispatch';
import { blockedOn } from './frame';

/** Byte of the state header set by the step that returned a watched op (`when T.op[K] returns`): j + 1 for the
 *  j-th entry of the watched-returns table; every step clears it first (kStep), so only the state made by the
 *  return carries it (model/fields.ts G_RETURNED). */
export const G_RETURNED: i32 = G_RETURNED_BYTE;
/** Watched returns: count u8, then [thread, op] pairs. Written by checker/compile/atoms.ts. */
export const C_RETURNS: usize = <usize>Cfg.Returns;
export const MAX_RETURNS: i32 = 32;
/** A state copy for probes (the first of the kernel's scratch states; the engine's scratch starts after it). */
const PROBE: usize = SCRATCH;

/** returnToUser: thread t's op k has just returned. */
export function markReturn(t: i32, k: i32): void {
  const n = <i32>load<u8>(CFG + C_RETURNS);
  for (let j = 0; j < n; j++) {
    const p = CFG + C_RETURNS + 1 + <usize>(j * 2);
    if (<i32>load<u8>(p) == t && <i32>load<u8>(p + 1) == k) {
      store<u8>(S + <usize>G_RETURNED, <u8>(j + 1));
      return;
    }
  }
}

export function returned(t: i32, k: i32): i32 {
  return load<i8>(threadAddr(t) + T_RETS + <usize>k) != NOT_RETURNED ? 1 : 0;
}

export function lockOwner(id: i32): i32 {
  return <i32>load<u8>(lockAddr(id));
}

/** Threads whose next step would wait for lock `id`: each unfinished thread's next step is run on a copy. */
export function lockWaiters(id: i32): i32 {
  const orig = S;
  saveStepGlobals();
  let n = 0;
  for (let t = 0; t < nThreads; t++) {
    setState(orig);
    if (threadDone(t)) continue;
    memory.copy(PROBE, orig, <usize>stateSize);
    setState(PROBE);
    if (stepThread(t, false) == StepStatus.Blocked && blockedOn == id) n++;
  }
  setState(orig);
  restoreStepGlobals();
  return n;
}

function findItem(ep: i32, f: i32, fd: i32): i32 {
  for (let i = 0; i < nItems; i++) {
    if (itemEp(i) == ep && itemFile(i) == f && itemGet(i, I_FD) == fd && itemHas(i, IF_RBR)) return i;
  }
  return -1;
}

export function itemEvents(ep: i32, f: i32, fd: i32): i32 {
  const i = findItem(ep, f, fd);
  return i < 0 ? -1 : itemGet(i, I_EVENTS);
}

export function itemState(ep: i32, f: i32, fd: i32): i32 {
  const i = findItem(ep, f, fd);
  if (i < 0) return 0;
  return itemHas(i, IF_DYING) ? 2 : 1;
}

export function epRef(e: i32): i32 {
  return load<u8>(epAddr(e) + E_REF);
}

export function epLife(e: i32): i32 {
  const l = <i32>load<u8>(epAddr(e) + E_LIFE);
  return l <= <i32>EpLife.Unborn ? l : 0;
}

/** 1 if thread t's next step runs in `routine` (0: it is in user space). */
export function at(t: i32, routine: i32): i32 {
  const d = <i32>load<u8>(threadAddr(t) + T_DEPTH);
  if (d == 0) return routine == 0 ? 1 : 0;
  return <i32>load<u8>(frameAddr(t, d - 1) + FR_ROUTINE) == routine ? 1 : 0;
}

export function quiescent(): i32 {
  for (let t = 0; t < nThreads; t++) if (load<u8>(threadAddr(t) + T_DEPTH) != 0) return 0;
  return 1;
}

export function justReturned(j: i32): i32 {
  return <i32>load<u8>(S + <usize>G_RETURNED) == j + 1 ? 1 : 0;
}

/** Operand bytes of an atom opcode (for the expectation scanner), -1 if `op` is not one of them. */
export function atomOperands(op: i32): i32 {
  switch (op) {
    case PredOp.Returned: return 2;
    case PredOp.LockOwner: return 2;
    case PredOp.LockWaiters: return 2;
    case PredOp.Events: return 3;
    case PredOp.EpRef: return 1;
    case PredOp.EpLifeOf: return 1;
    case PredOp.ItemState: return 3;
    case PredOp.At: return 2;
    case PredOp.Quiescent: return 0;
    case PredOp.JustReturned: return 1;
    case PredOp.HasBits: return 0;
    default: return -1;
  }
}
