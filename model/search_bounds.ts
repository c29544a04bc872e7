// Future-footprint bounds for partial-order reduction (owned by the search engine; semantics-dependent, hence on
// the kernel side). For every thread and every position in its operation list this computes a static
// over-approximation of the footprint bits (model/frame.ts FP_*) that ANY future step of the thread may read or
// write, whatever the other threads do. The explorer's ample-set test compares one thread's next step (its exact
// footprint from kStepReads/kStepWrites) against these bounds of all the other threads.
//
// The bound is a may-analysis over the scenario's configuration:
//   MT[table]  files that can ever be in the table (initial slots + files installed by replace, dup keeps the set)
//   MW[epoll]  files that the eventpoll can ever watch (initial items + targets of ADD by threads that can reach
//              the epoll's file through their table, + the RFC re-key target)
// and each operation touches its table, the files of its table, the epolls reachable from them, and the release
// closure of each such file (any put may be the final one: __fput -> eventpoll_release_file / ep_free).
// The engine checks at run time that every executed step stays inside its thread's bound (an internal error
// otherwise), so a routine that outgrows this analysis cannot make the reduction silently unsound.

import { OpKind, Toggle } from './codes';
import {
  C_FAULTS, C_INIT_ITEMS, C_INIT_SLOTS, CFG, T_PENDING, epFile, fileEp, nEpolls, nFiles, nTables,
  nThreads, opAddr, setState, threadAddr, threadNops, threadTable, toggle,
} from './layout';
import { FP_EPOLL, FP_FILE, FP_GLOBAL, FP_ITEMS, FP_TABLE } from './frame';
import { locksetInit } from './lockset';
import { firstOpLeft, inTaskWork, isClassic } from './slot_bounds';

const MAX_OPS_B: i32 = 33;

// Region layout (host-assigned address, kBoundsBytes() bytes):
//   [0]      MT u16[8], MW u16[8]                                    (32 B)
//   [32]     suffix writes  u64[8 threads][33]                        (2112 B)
//   [2144]   suffix touches u64[8][33]                                (2112 B)
//   [4256]   release-closure of everything the thread may touch u64[8] (64 B)
let base: usize = 0;
const OFF_MT: usize = 0;
const OFF_MW: usize = 16;
const OFF_SW: usize = 32;
const OFF_ST: usize = 32 + 8 * 33 * 8;
const OFF_EVER: usize = OFF_ST + 8 * 33 * 8;
const BYTES: usize = OFF_EVER + 64;

export function boundsBytes(): i32 {
  return <i32>BYTES;
}

function mt(tb: i32): u32 {
  return load<u16>(base + OFF_MT + (<usize>tb << 1));
}
function mw(e: i32): u32 {
  return load<u16>(base + OFF_MW + (<usize>e << 1));
}

function bit(b: i32): u64 {
  return (<u64>1) << <u64>b;
}

/** Epolls that may watch file f. */
function watchersOf(f: i32): u64 {
  let m: u64 = 0;
  for (let e = 0; e < nEpolls; e++) if ((mw(e) & (<u32>1 << f)) != 0) m |= bit(FP_EPOLL + e);
  return m;
}

/** Everything a final put of file f can touch: __fput, eventpoll_release_file, ep_free of an epoll file. */
function releaseClosure(f: i32): u64 {
  let m = bit(FP_FILE + f);
  const w = watchersOf(f);
  if (w != 0) m |= w | bit(FP_GLOBAL) | bit(FP_ITEMS);
  const e = fileEp(f);
  if (e != 0xff) {
    m |= bit(FP_EPOLL + e) | bit(FP_GLOBAL) | bit(FP_ITEMS);
    const files = mw(e);
    for (let g = 0; g < nFiles; g++) {
      if ((files & (<u32>1 << g)) != 0) m |= bit(FP_FILE + g) | watchersOf(g);
    }
  }
  return m;
}

function filesClosure(files: u32): u64 {
  let m: u64 = 0;
  for (let f = 0; f < nFiles; f++) if ((files & (<u32>1 << f)) != 0) m |= releaseClosure(f);
  return m;
}

/** Epolls whose epoll file is among `files`. */
function epollsOfFiles(files: u32): u64 {
  let m: u64 = 0;
  for (let e = 0; e < nEpolls; e++) if ((files & (<u32>1 << epFile(e))) != 0) m |= bit(FP_EPOLL + e);
  return m;
}

/** Does the scenario use only the operations this analysis models precisely (close, dup, dup2, replace,
 *  epoll_ctl, fget, fput)? Otherwise files may move between tables in ways it does not track (fork, pidfd_getfd,
 *  seccomp ADDFD, epoll_create, io_uring), and every table and epoll may hold every file. */
let classic: bool = true;
const ALL: u64 = (<u64>1 << 34) - 1;

function computeMaps(): void {
  for (let tb = 0; tb < 8; tb++) store<u16>(base + OFF_MT + (<usize>tb << 1), 0);
  for (let e = 0; e < 8; e++) store<u16>(base + OFF_MW + (<usize>e << 1), 0);
  for (let tb = 0; tb < nTables; tb++) {
    let m: u32 = 0;
    for (let fd = 0; fd < 64; fd++) {
      const v = <i32>load<u8>(CFG + C_INIT_SLOTS + <usize>(tb * 64 + fd));
      if (v != 0) m |= <u32>1 << (v - 1);
    }
    store<u16>(base + OFF_MT + (<usize>tb << 1), <u16>m);
  }
  for (let q = 0; q < nThreads; q++) {
    const tb = threadTable(q);
    for (let k = 0; k < threadNops(q); k++) {
      const op = opAddr(q, k);
      if (<i32>load<u8>(op) == OpKind.Replace) {
        const m = mt(tb) | (<u32>1 << load<u8>(op + 2));
        store<u16>(base + OFF_MT + (<usize>tb << 1), <u16>m);
      }
    }
  }
  classic = true;
  for (let q = 0; q < nThreads; q++) {
    for (let k = 0; k < threadNops(q); k++) if (!isClassic(<i32>load<u8>(opAddr(q, k)))) classic = false;
  }
  if (!classic) {
    const every: u32 = nFiles >= 16 ? 0xffff : (<u32>1 << nFiles) - 1;
    for (let tb = 0; tb < 8; tb++) store<u16>(base + OFF_MT + (<usize>tb << 1), <u16>every);
    for (let e = 0; e < 8; e++) store<u16>(base + OFF_MW + (<usize>e << 1), <u16>every);
    return;
  }
  const n = <i32>load<u8>(CFG + C_INIT_ITEMS);
  for (let k = 0; k < n; k++) {
    const p = CFG + C_INIT_ITEMS + 1 + <usize>(k * 5);
    const e = <i32>load<u8>(p);
    store<u16>(base + OFF_MW + (<usize>e << 1), <u16>(mw(e) | (<u32>1 << load<u8>(p + 1))));
  }
  // ADD targets and RFC re-keys, to a fixed point (MW only grows; at most nEpolls * nFiles rounds).
  let changed = true;
  while (changed) {
    changed = false;
    for (let q = 0; q < nThreads; q++) {
      const tb = threadTable(q);
      const files = mt(tb);
      for (let k = 0; k < threadNops(q); k++) {
        const op = opAddr(q, k);
        const kind = <i32>load<u8>(op);
        for (let e = 0; e < nEpolls; e++) {
          let add: u32 = 0;
          if (kind == OpKind.EpollCtl && (files & (<u32>1 << epFile(e))) != 0) add = files;
          const rekeys = toggle(Toggle.RfcV4Replace) || toggle(Toggle.RfcV7);
          if (kind == OpKind.Replace && rekeys && (mw(e) & files) != 0) add = <u32>1 << load<u8>(op + 2);
          const nw = mw(e) | add;
          if (nw != mw(e)) {
            store<u16>(base + OFF_MW + (<usize>e << 1), <u16>nw);
            changed = true;
          }
        }
      }
    }
  }
}

/** Bound of one operation: writes (high) and touches. */
let opW: u64 = 0;
let opT: u64 = 0;
function opBound(q: i32, k: i32): void {
  const tb = threadTable(q);
  const op = opAddr(q, k);
  const kind = <i32>load<u8>(op);
  if (!isClassic(kind)) {
    opW = ALL;
    opT = ALL;
    return;
  }
  let files = mt(tb);
  let w: u64 = 0;
  let r: u64 = bit(FP_TABLE + tb);
  if (kind == OpKind.Close || kind == OpKind.Dup || kind == OpKind.Dup2 || kind == OpKind.Replace) {
    w |= bit(FP_TABLE + tb);
  }
  if (kind == OpKind.Replace) {
    const nf = <i32>load<u8>(op + 2);
    files |= <u32>1 << nf;
    w |= bit(FP_GLOBAL); // the RFC walks and the seccomp request state
    if (toggle(Toggle.RfcV4Replace) || toggle(Toggle.RfcV7)) {
      for (let e = 0; e < nEpolls; e++) {
        if ((mw(e) & files) != 0) w |= bit(FP_EPOLL + e) | bit(FP_GLOBAL) | bit(FP_ITEMS);
      }
    }
  }
  if (kind == OpKind.EpollCtl) {
    w |= epollsOfFiles(files) | bit(FP_GLOBAL) | bit(FP_ITEMS);
  }
  // itemAlloc writes the record field by field, and each itemSet reports the item's current file: between
  // I_EP and I_FILE that is the zeroed record's file 0 (objects.ts). Harmless, but it is in the footprint.
  if ((w & bit(FP_ITEMS)) != 0) w |= bit(FP_FILE + 0);
  // Every file of the table may be taken, inserted into an epoll (its f_ep and its watchers' items move) and put.
  for (let f = 0; f < nFiles; f++) {
    if ((files & (<u32>1 << f)) != 0) w |= bit(FP_FILE + f) | (kind == OpKind.EpollCtl || kind == OpKind.Replace ? watchersOf(f) : 0);
  }
  w |= filesClosure(files);
  // Every allocation is a fault point, which reads the fault budget (global); with a budget it may write it.
  if (load<u8>(CFG + C_FAULTS) != 0) w |= bit(FP_GLOBAL);
  opW = w;
  opT = w | r | bit(FP_GLOBAL);
}

/** Compute the bounds for the configured scenario into the region at `addr` (kBoundsBytes() bytes). */
export function boundsInit(addr: usize): void {
  base = addr;
  computeMaps();
  for (let q = 0; q < 8; q++) {
    let sw: u64 = 0;
    let st: u64 = 0;
    let ever: u64 = 0;
    const n = q < nThreads ? threadNops(q) : 0;
    for (let k = MAX_OPS_B - 1; k >= 0; k--) {
      if (k < n) {
        opBound(q, k);
        sw |= opW;
        st |= opT;
        ever |= opW;
      }
      store<u64>(base + OFF_SW + <usize>((q * MAX_OPS_B + k) * 8), sw);
      store<u64>(base + OFF_ST + <usize>((q * MAX_OPS_B + k) * 8), st);
    }
    store<u64>(base + OFF_EVER + <usize>(q * 8), ever);
  }
  locksetInit(nestedEpolls());
}

/** Can an epoll ever watch an epoll file (nested epolls: the epoll-cycle invariant matters)? */
export function nestedEpolls(): bool {
  for (let e = 0; e < nEpolls; e++) {
    for (let f = 0; f < nFiles; f++) if ((mw(e) & (<u32>1 << f)) != 0 && fileEp(f) != 0xff) return true;
  }
  return false;
}

/** Use bounds computed by another instance on the same (shared) memory. */
export function boundsAttach(addr: usize): void {
  base = addr;
  locksetInit(nestedEpolls());
}

export let boundW: u64 = 0;
export let boundT: u64 = 0;

/** The bound of thread q's remaining work in state s (boundW: may write, boundT: may read or write). */
export function threadBound(s: usize, q: i32): void {
  setState(s);
  const tw = inTaskWork(q);
  const pending = <i32>load<u16>(threadAddr(q) + T_PENDING);
  let k = firstOpLeft(q);
  if (k > MAX_OPS_B - 1) k = MAX_OPS_B - 1;
  let w = load<u64>(base + OFF_SW + <usize>((q * MAX_OPS_B + k) * 8));
  let t = load<u64>(base + OFF_ST + <usize>((q * MAX_OPS_B + k) * 8));
  if (pending != 0 || tw) {
    const ever = load<u64>(base + OFF_EVER + <usize>(q * 8));
    w |= ever;
    t |= ever;
  }
  boundW = w;
  boundT = t;
}
