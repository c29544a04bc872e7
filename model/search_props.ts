// What the scenario's expectations read, for the explorer's reductions (owned by the search engine). Each
// always/never/sometimes expectation k reads a set of objects (footprint bits) and the private state of some
// threads (T.ret, done(T)); partial-order reduction treats that read set as ONE virtual object (footprint bit
// VIRTUAL_BASE + k): every step that writes into it also writes the virtual bit, so two steps that both change
// what an expectation reads are never treated as independent (docs/search.md). Symmetry reduction needs to know
// which threads any expectation names (those threads are not interchangeable).

import { Modality, PredOp } from './codes';
import {
  C_CODE, C_EXPECT, C_NEXPECT, CFG, E_MTX, E_SIZE, F_LIFE, F_SIZE, I_SIZE, fileEp, nEpolls, nFiles, nItems, nTables,
  offEpolls, offFiles, offItems,
} from './layout';
import { nestedEpolls } from './search_bounds';
import { FP_EPOLL, FP_FILE, FP_ITEMS, FP_TABLE } from './frame';
import { C_RETURNS, atomOperands } from './atoms';
import { lockObjectBit } from './locks';

export const VIRTUAL_BASE: i32 = 34;
export const MAX_VIRTUAL: i32 = 27; // bits 34..60; 61 and 62 belong to invariants (below)
/** DanglingFile (E8) is checked only while the item's ep->mtx is free: the files' life and the epolls' mtx are
 *  one virtual object. */
export const VIRTUAL_QUIESCENT: i32 = 62;
/** EpollCycle (E9) reads the items of every epoll that watch epoll files: one virtual object when nested
 *  epolls are possible. */
export const VIRTUAL_CYCLE: i32 = 61;

// Region: objects u64[27], threads u8[27] (padded to 32), named threads u8 (any modality), nested flag.
let base: usize = 0;
const OFF_OBJ: usize = 0;
const OFF_THR: usize = 240;
const OFF_NAMED: usize = 272;
const OFF_NVIRTUAL: usize = 276;
const OFF_NESTED: usize = 277;
const BYTES: usize = 280;
let nVirtual: i32 = 0;

export function propsBytes(): i32 {
  return <i32>BYTES;
}

function bit(b: i32): u64 {
  return (<u64>1) << <u64>b;
}

/** Objects read and threads named by expectation k's bytecode. */
let readObjs: u64 = 0;
let readThreads: u32 = 0;
function scan(k: i32): void {
  let pc = CFG + C_CODE + <usize>load<u16>(CFG + C_EXPECT + <usize>(k * 4) + 2);
  let objs: u64 = 0;
  let threads: u32 = 0;
  while (true) {
    const op = <i32>load<u8>(pc);
    pc++;
    if (op == PredOp.End) break;
    switch (op) {
      case PredOp.FdAll:
      case PredOp.FdNone:
        objs |= bit(FP_TABLE + <i32>load<u8>(pc));
        pc += 4;
        break;
      case PredOp.Count:
        objs |= bit(FP_EPOLL + <i32>load<u8>(pc));
        pc += 3;
        break;
      case PredOp.Ref:
      case PredOp.LifeOf:
        objs |= bit(FP_FILE + <i32>load<u8>(pc));
        pc += 1;
        break;
      case PredOp.Ret:
        threads |= <u32>1 << load<u8>(pc);
        pc += 2;
        break;
      case PredOp.Done:
        threads |= <u32>1 << load<u8>(pc);
        pc += 1;
        break;
      case PredOp.Const:
        pc += 2;
        break;
      case PredOp.Stale:
        for (let t = 0; t < nTables; t++) objs |= bit(FP_TABLE + t);
        for (let e = 0; e < nEpolls; e++) objs |= bit(FP_EPOLL + e);
        break;
      default: {
        // Atoms of model/atoms.ts: what each reads.
        const n = atomOperands(op);
        if (n < 0) break; // comparisons and connectives: no operands
        if (op == PredOp.Returned || op == PredOp.At) threads |= <u32>1 << load<u8>(pc);
        else if (op == PredOp.LockOwner) objs |= lockObjectBit((<i32>load<u8>(pc) << 8) | <i32>load<u8>(pc + 1));
        else if (op == PredOp.Events || op == PredOp.ItemState || op == PredOp.EpRef || op == PredOp.EpLifeOf) {
          objs |= bit(FP_EPOLL + <i32>load<u8>(pc));
        } else if (op == PredOp.JustReturned) {
          threads |= <u32>1 << load<u8>(CFG + C_RETURNS + 1 + <usize>(<i32>load<u8>(pc) * 2));
        } else if (op == PredOp.Quiescent) {
          threads |= 0xff;
        } else if (op == PredOp.LockWaiters) {
          // Who waits depends on every thread's next step: everything.
          threads |= 0xff;
          objs |= (<u64>1 << <u64>(FP_ITEMS + 1)) - 1;
        }
        pc += <usize>n;
      }
    }
  }
  readObjs = objs;
  readThreads = threads;
}

/** Analyse the configured expectations into the region at `addr` (propsBytes() bytes). */
export function propsInit(addr: usize): void {
  base = addr;
  memory.fill(base, 0, BYTES);
  const n = <i32>load<u8>(CFG + C_NEXPECT);
  let named: u32 = 0;
  nVirtual = 0;
  for (let k = 0; k < n; k++) {
    scan(k);
    named |= readThreads;
    const m = <i32>load<u8>(CFG + C_EXPECT + <usize>(k * 4));
    if (m == Modality.AtEnd) continue; // judged on terminal states only, which persistent sets preserve
    const v = nVirtual < MAX_VIRTUAL ? nVirtual : MAX_VIRTUAL - 1; // beyond 30: share the last bit (coarser, sound)
    if (nVirtual < MAX_VIRTUAL) nVirtual++;
    store<u64>(base + OFF_OBJ + <usize>(v * 8), load<u64>(base + OFF_OBJ + <usize>(v * 8)) | readObjs);
    store<u8>(base + OFF_THR + <usize>v, load<u8>(base + OFF_THR + <usize>v) | <u8>readThreads);
  }
  store<u8>(base + OFF_NAMED, <u8>named);
  store<u8>(base + OFF_NVIRTUAL, <u8>nVirtual);
  nested = nestedEpolls();
  store<u8>(base + OFF_NESTED, nested ? 1 : 0);
}

let nested: bool = false;

/** Use an analysis made by another instance on the same (shared) memory. */
export function propsAttach(addr: usize): void {
  base = addr;
  nVirtual = load<u8>(base + OFF_NVIRTUAL);
  nested = load<u8>(base + OFF_NESTED) != 0;
}

/** Threads named by any expectation (bit per thread). */
export function namedThreads(): u32 {
  return load<u8>(base + OFF_NAMED);
}

/** Virtual footprint bits that a step (or bound) of thread `t` writing `writes` also writes. */
export function virtualWrites(writes: u64, t: i32): u64 {
  let m: u64 = 0;
  for (let v = 0; v < nVirtual; v++) {
    if ((load<u64>(base + OFF_OBJ + <usize>(v * 8)) & writes) != 0 || (load<u8>(base + OFF_THR + <usize>v) & (<u8>1 << <u8>t)) != 0) {
      m |= bit(VIRTUAL_BASE + v);
    }
  }
  return m;
}

export function virtualCount(): i32 {
  return nVirtual;
}

function bit64(b: i32): u64 {
  return (<u64>1) << <u64>b;
}

/** Virtual objects of the kernel's invariants that the step from src to dst wrote: the quiescence object when a
 *  file's life or an epoll's mtx changed, the epoll-graph object when an item on an epoll file changed. The
 *  invariants not named here read one object each, or are sums over objects (docs/search.md). */
export function invariantVirtual(src: usize, dst: usize): u64 {
  let m: u64 = 0;
  for (let f = 0; f < nFiles; f++) {
    const o = <usize>(offFiles + f * F_SIZE + F_LIFE);
    if (load<u8>(src + o) != load<u8>(dst + o)) {
      m |= bit64(VIRTUAL_QUIESCENT);
      break;
    }
  }
  if (m == 0) {
    for (let e = 0; e < nEpolls; e++) {
      const o = <usize>(offEpolls + e * E_SIZE + E_MTX);
      if (load<u8>(src + o) != load<u8>(dst + o)) {
        m |= bit64(VIRTUAL_QUIESCENT);
        break;
      }
    }
  }
  if (nested) {
    for (let i = 0; i < nItems; i++) {
      const o = <usize>(offItems + i * I_SIZE);
      const a = load<u64>(src + o);
      const b = load<u64>(dst + o);
      if (a == b) continue;
      // I_EP (byte 0) != 0 means used; I_FILE is byte 1.
      const fa = <i32>((a >> 8) & 0xff);
      const fb = <i32>((b >> 8) & 0xff);
      if (((a & 0xff) != 0 && fileEp(fa) != 0xff) || ((b & 0xff) != 0 && fileEp(fb) != 0xff)) {
        m |= bit64(VIRTUAL_CYCLE);
        break;
      }
    }
  }
  return m;
}

/** The same for a thread's bound (may write): any file or epoll write may change a life or an mtx. */
export function invariantVirtualBound(w: u64): u64 {
  let m: u64 = 0;
  const filesAndEpolls: u64 = ((<u64>1 << 32) - 1) & ~(<u64>0xff);
  if ((w & filesAndEpolls) != 0) m |= bit64(VIRTUAL_QUIESCENT);
  if (nested && (w & (<u64>0xff << 24)) != 0) m |= bit64(VIRTUAL_CYCLE);
  return m;
}
