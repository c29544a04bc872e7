// What the scenario's expectations read, for the explorer's reductions (owned by the search engine). Each
// always/never/sometimes expectation k reads a set of objects (footprint bits) and the private state of some
// threads (T.ret, done(T)); partial-order reduction treats that read set as ONE virtual object (footprint bit
// VIRTUAL_BASE + k): every step that writes into it also writes the virtual bit, so two steps that both change
// what an expectation reads are never treated as independent (docs/search.md). Symmetry reduction needs to know
// which threads any expectation names (those threads are not interchangeable).

import { Modality, PredOp } from './codes';
import { C_CODE, C_EXPECT, C_NEXPECT, CFG, nEpolls, nTables } from './layout';
import { FP_EPOLL, FP_FILE, FP_TABLE } from './frame';

export const VIRTUAL_BASE: i32 = 34;
export const MAX_VIRTUAL: i32 = 30;

// Region: objects u64[30], threads u8[30] (padded to 32), named threads u8 (any modality).
let base: usize = 0;
const OFF_OBJ: usize = 0;
const OFF_THR: usize = 240;
const OFF_NAMED: usize = 272;
const OFF_NVIRTUAL: usize = 276;
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
      default:
        break; // comparisons and connectives: no operands
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
}

/** Use an analysis made by another instance on the same (shared) memory. */
export function propsAttach(addr: usize): void {
  base = addr;
  nVirtual = load<u8>(base + OFF_NVIRTUAL);
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
