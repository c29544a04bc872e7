// State invariants checked on every new state (docs/model.md §E). Violations found while stepping (use-after-free on
// access, puts below zero, recursive locking, locks or references held at return) are already in G_VIOL; the
// checks here compare whole-state facts that no single step sees.

import { EpLife, Life, Viol } from './codes';
import {
  C_REACH, C_URING, MAX_FILES, NHELD, SLOT_RESERVED, T_HELD, G_GMTX, G_TFILE_LIST, U_SLOTS, uringAddr, CFG, E_LIFE, E_MTX, G_VIOL, G_VIOL_OBJ, fileEp, I_FD, IF_FEP, IF_RBR, T_UHELD, epAddr, gAddr, nEpolls, nFiles, nItems,
  nSlots, nTables, nThreads, slotAddr, threadAddr,
} from './layout';
import { itemEp, itemFile, itemGet, itemHas, itemUsed, life, ref } from './objects';
import { nestingTooDeep, pathLimitExceeded } from './routines/loop_limits';

/** Object the last reported violation is about (file, epoll, item or thread index, by kind). */
export let violObj: i32 = 0;
/** All violations of the last checked state: bit v set for Viol v; the object of each in violObjs[v]. */
export let violMask: u32 = 0;
// Scratch of the checks: each violation's object, the holders count per file, the epoll-cycle reachability matrix.
// Fixed areas of the configuration block by default; in the threaded build every worker instance gets its own
// (checkScratch), since the memory is shared and workers judge states at the same time.
let violObjs: usize = CFG + 7904;
let holdersArea: usize = CFG + 4880;
let reachArea: usize = CFG + C_REACH;
/** Bytes of one instance's check scratch. */
export const CHECK_SCRATCH_BYTES: usize = 96;
export function checkScratch(p: usize): void {
  violObjs = p;
  holdersArea = p + 32;
  reachArea = p + 64;
}

/** The lowest-numbered violation of the state, 0 if none (its object in violObj). */
export function checkState(): i32 {
  const m = checkAll();
  if (m == 0) return 0;
  const v = <i32>ctz(m);
  violObj = load<u8>(violObjs + <usize>v);
  return v;
}

export function violObjOf(v: i32): i32 {
  return load<u8>(violObjs + <usize>v);
}

/** Every invariant, each reported once per state (one finding must not hide another). */
export function checkAll(): u32 {
  violMask = 0;
  const sv = <i32>load<u8>(gAddr(G_VIOL));
  if (sv != 0) found(sv, load<u8>(gAddr(G_VIOL_OBJ)));
  // E2/E3 reference conservation and E1/E8 no dangling pointer to a freed file. One pass over every holder
  // (slots, ring slots, references held by tasks) counts each file's holders in a scratch array.
  memory.fill(holdersArea, 0, MAX_FILES);
  for (let t = 0; t < nTables; t++) {
    for (let fd = 0; fd < nSlots; fd++) countHolder(load<u8>(slotAddr(t, fd)));
  }
  if (load<u8>(CFG + C_URING) != 0) {
    for (let k = 0; k < U_SLOTS; k++) countHolder(load<u8>(uringAddr(k)));
  }
  for (let t = 0; t < nThreads; t++) {
    const ta = threadAddr(t);
    for (let k = 0; k < NHELD; k++) countHolder(load<u8>(ta + T_HELD + <usize>k));
    countHolder(load<u8>(ta + T_UHELD));
  }
  // Files with an epitem outside any ep->mtx critical section, and E6 (in ep->rbr <=> on file->f_ep) for those.
  // E8 is a quiescent property: ep_remove unlinks the epitem from f_ep first (after which __fput may free the
  // file) and only then erases it from the rbtree, all under ep->mtx, without touching the file again.
  let atRest: u32 = 0;
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i)) continue;
    const ea = epAddr(itemEp(i));
    if (load<u8>(ea + E_MTX) != 0) continue;
    atRest |= <u32>1 << itemFile(i);
    if (load<u8>(ea + E_LIFE) != <u8>EpLife.Freed && itemHas(i, IF_RBR) != itemHas(i, IF_FEP)) found(Viol.Watchers, i);
  }
  for (let f = 0; f < nFiles; f++) {
    const holders = <i32>load<u8>(holdersArea + <usize>f);
    if (life(f) == Life.Freed || life(f) == Life.RcuPending) {
      if (holders > 0 || (atRest & (<u32>1 << f)) != 0) found(Viol.DanglingFile, f);
    } else if (holders != ref(f)) found(Viol.RefMismatch, f);
  }
  // E10: the check list belongs to whoever holds the global mutex; nothing may stay on it after the unlock.
  if (load<u8>(gAddr(G_GMTX)) == 0 && load<u16>(gAddr(G_TFILE_LIST)) != 0) found(Viol.CheckListLeak, 0);
  // E9: the "epoll A has an epitem on epoll file B" graph stays acyclic.
  const cyc = epollCycle();
  if (cyc >= 0) found(Viol.EpollCycle, cyc);
  else {
    // E9's other half: no chain of nested epolls deeper than EP_MAX_NESTS.
    const deep = nestingTooDeep();
    if (deep >= 0) found(Viol.EpollDepth, deep);
    // and its path limits: reverse_path_check's rule for every watched file (model/routines/loop_limits.ts).
    const paths = pathLimitExceeded();
    if (paths >= 0) found(Viol.PathLimit, paths);
  }
  // E7: (file, fd) keys are unique within one eventpoll.
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || !itemHas(i, IF_RBR)) continue;
    for (let j = i + 1; j < nItems; j++) {
      if (
        itemUsed(j) && itemHas(j, IF_RBR) && itemEp(j) == itemEp(i) && itemFile(j) == itemFile(i) &&
        itemGet(j, I_FD) == itemGet(i, I_FD)
      ) {
        found(Viol.DuplicateKey, i);
      }
    }
  }
  return violMask;
}

/** Scratch holder counts per file (inside the configuration block; checks are serialised across workers). */

// @ts-ignore: decorator
@inline function countHolder(v: u8): void {
  if (v != 0 && v != <u8>SLOT_RESERVED) store<u8>(holdersArea + <usize>(v - 1), load<u8>(holdersArea + <usize>(v - 1)) + 1);
}

function found(v: i32, obj: i32): void {
  if ((violMask & (<u32>1 << v)) != 0) return;
  violMask |= <u32>1 << v;
  store<u8>(violObjs + <usize>v, <u8>obj);
}

/** An epoll on a cycle of the watches-epoll graph, or -1. Small graphs: repeated relaxation of reachability. */
function epollCycle(): i32 {
  if (nEpolls < 1) return -1;
  // reach[a] bit b: epoll a (transitively) watches epoll b. Kept in a fixed scratch area: nothing is
  // allocated on the per-state path.
  const reach = reachArea;
  memory.fill(reach, 0, 32);
  for (let i = 0; i < nItems; i++) {
    if (!itemUsed(i) || !itemHas(i, IF_RBR)) continue;
    const e2 = fileEp(itemFile(i));
    if (e2 == 0xff) continue;
    const a = itemEp(i);
    store<u32>(reach + <usize>(a * 4), load<u32>(reach + <usize>(a * 4)) | (<u32>1 << e2));
  }
  for (let round = 0; round < nEpolls; round++) {
    for (let a = 0; a < nEpolls; a++) {
      let r = load<u32>(reach + <usize>(a * 4));
      for (let b = 0; b < nEpolls; b++) if ((r & (<u32>1 << b)) != 0) r |= load<u32>(reach + <usize>(b * 4));
      store<u32>(reach + <usize>(a * 4), r);
    }
  }
  for (let a = 0; a < nEpolls; a++) if ((load<u32>(reach + <usize>(a * 4)) & (<u32>1 << a)) != 0) return a;
  return -1;
}
