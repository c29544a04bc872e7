// The explorer's hot loop, compiled together with the kernel into one Wasm module: breadth-first search with the
// visited set and the state store in linear memory. The TypeScript driver (checker/search/bfs.ts) calls eRun in
// batches and owns everything else (limits, progress, reports, paths). The kernel is used only through its
// interface (model/index.ts): states are opaque bytes here.
//
// Store: records of [hash u32][parent u32][move u8][flags u8][depth u16][pad 4][state], in chunks of 2^14
// records; the visited set is an open-addressing table of record ids + 1, doubled at half load.

import {
  kAllDone, kBuildInitial, kCheck, kConfigure, kEvalExpect, kExpectCount, kExpectModality, kFaultBudget,
  kCheckMask, kViolObjOf, kFaultsUsed, kIsFatal, kSawFaultPoint, kStateSize, kStep, kViolObj,
} from '../../model/index';
import { Modality, StepStatus } from '../../model/codes';
import { SCRATCH } from '../../model/layout';
import { MAX_THREADS } from '../../model/layout';

export * from '../../model/index';

const CHUNK_SHIFT: u32 = 14;
const CHUNK_RECS: u32 = 1 << CHUNK_SHIFT;
const CHUNK_TABLE: usize = 40960; // u32 pointers, up to 4096 chunks (64 Mi records)
const MAX_CHUNKS: u32 = 4096;
const REPORTS: usize = 57344; // [64] kind u8, code u8, obj u8, pad u8, id u32
const MAX_REPORTS: i32 = 64;
const HEAP_START: usize = 65536;
const HDR: usize = 16;

/** Report kinds. */
export const R_INVARIANT = 1;
export const R_EXPECT = 2;
export const R_DEADLOCK = 3;

/** eRun results. */
export const RUN_DONE = 0;
export const RUN_MORE = 1;
export const RUN_OUT_OF_MEMORY = 2;
export const RUN_CAPACITY = 3;

let stateBytes: usize = 0;
let recSize: usize = 0;
let top: usize = HEAP_START;
let maxBytes: usize = 0xffff0000;
let table: usize = 0;
let tableMask: u32 = 0;
let count: u32 = 0;
let head: u32 = 0;
let transitions: f64 = 0;
let terminals: u32 = 0;
let maxDepth: i32 = 0;
let nReports: i32 = 0;
let sometimes: u32 = 0;
let nChunks: u32 = 0;
let oom: bool = false;
let nThreadsCfg: i32 = 0;

function alloc(bytes: usize): usize {
  const p = (top + 15) & ~15;
  const end = p + bytes;
  if (end > maxBytes) return 0;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  top = end;
  return p;
}

// @ts-ignore: decorator
@inline function recAddr(id: u32): usize {
  return <usize>load<u32>(CHUNK_TABLE + ((<usize>(id >> CHUNK_SHIFT)) << 2)) + <usize>(id & (CHUNK_RECS - 1)) * recSize;
}

function hashState(p: usize): u32 {
  let h: u64 = 0x9e3779b97f4a7c15;
  for (let i: usize = 0; i < stateBytes; i += 8) {
    h ^= load<u64>(p + i);
    h *= 0xff51afd7ed558ccd;
    h ^= h >> 32;
  }
  h ^= h >> 29;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >> 32;
  return <u32>h;
}

function sameState(a: usize, b: usize): bool {
  for (let i: usize = 0; i < stateBytes; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  return true;
}

function growTable(): bool {
  const cap = (tableMask + 1) << 1;
  const t = alloc(<usize>cap << 2);
  if (t == 0) return false;
  memory.fill(t, 0, <usize>cap << 2);
  const mask = cap - 1;
  for (let id: u32 = 0; id < count; id++) {
    let i = load<u32>(recAddr(id)) & mask;
    while (load<u32>(t + (<usize>i << 2)) != 0) i = (i + 1) & mask;
    store<u32>(t + (<usize>i << 2), id + 1);
  }
  table = t;
  tableMask = mask;
  return true;
}

function report(kind: i32, code: i32, obj: i32, id: u32): void {
  for (let k = 0; k < nReports; k++) {
    const p = REPORTS + <usize>(k * 8);
    if (load<u8>(p) == <u8>kind && load<u8>(p + 1) == <u8>code) return;
  }
  if (nReports >= MAX_REPORTS) return;
  const p = REPORTS + <usize>(nReports * 8);
  store<u8>(p, <u8>kind);
  store<u8>(p + 1, <u8>code);
  store<u8>(p + 2, <u8>obj);
  store<u32>(p + 4, id);
  nReports++;
}

/** Flags of a record. */
const BAD: u8 = 1;

/** Judge a new state: invariants, then always/never/sometimes expectations. Returns true if it is bad. */
function judge(id: u32, s: usize): bool {
  let m = kCheckMask(s);
  let bad = false;
  while (m != 0) {
    const v = <i32>ctz(m);
    m &= m - 1;
    report(R_INVARIANT, v, kViolObjOf(v), id);
    if (kIsFatal(v)) bad = true;
  }
  const n = kExpectCount();
  for (let k = 0; k < n; k++) {
    const m = kExpectModality(k);
    if (m == Modality.AtEnd) continue;
    const holds = kEvalExpect(s, k);
    if (m == Modality.Sometimes) {
      if (holds) sometimes |= 1 << k;
    } else if ((m == Modality.Always && !holds) || (m == Modality.Never && holds)) {
      report(R_EXPECT, k, 0, id);
    }
  }
  return bad;
}

/** Insert the state at `s` if new. Returns the outcome: 0 seen before, 1 new, -1 out of memory. */
function insert(s: usize, parent: u32, move: u8, dep: i32): i32 {
  const h = hashState(s);
  let i = h & tableMask;
  while (true) {
    const e = load<u32>(table + (<usize>i << 2));
    if (e == 0) break;
    const r = recAddr(e - 1);
    if (load<u32>(r) == h && sameState(r + HDR, s)) return 0;
    i = (i + 1) & tableMask;
  }
  const id = count;
  if ((id & (CHUNK_RECS - 1)) == 0) {
    if (nChunks >= MAX_CHUNKS) return -1;
    const c = alloc(<usize>CHUNK_RECS * recSize);
    if (c == 0) return -1;
    store<u32>(CHUNK_TABLE + (<usize>nChunks << 2), <u32>c);
    nChunks++;
  }
  const r = recAddr(id);
  store<u32>(r, h);
  store<u32>(r + 4, parent);
  store<u8>(r + 8, move);
  store<u16>(r + 10, <u16>dep);
  memory.copy(r + HDR, s, stateBytes);
  store<u32>(table + (<usize>i << 2), id + 1);
  count++;
  if (dep > maxDepth) maxDepth = dep;
  store<u8>(r + 9, judge(id, r + HDR) ? BAD : 0);
  if (count * 2 > tableMask && !growTable()) return -1;
  return 1;
}

function expand(id: u32): bool {
  const r = recAddr(id);
  const src = r + HDR;
  const dep = <i32>load<u16>(r + 10) + 1;
  const canFault = kFaultsUsed(src) < kFaultBudget();
  let enabled = false;
  for (let t = 0; t < nThreadsCfg; t++) {
    if (kStep(src, SCRATCH, t, false) != StepStatus.Ok) continue;
    enabled = true;
    const faultable = kSawFaultPoint();
    transitions++;
    if (insert(SCRATCH, id, <u8>(t * 2), dep) < 0) return false;
    if (faultable && canFault) {
      kStep(src, SCRATCH, t, true);
      transitions++;
      if (insert(SCRATCH, id, <u8>(t * 2 + 1), dep) < 0) return false;
    }
  }
  if (!enabled) {
    terminals++;
    if (!kAllDone(src)) report(R_DEADLOCK, 0, 0, id);
    else {
      const n = kExpectCount();
      for (let k = 0; k < n; k++) {
        if (kExpectModality(k) == Modality.AtEnd && !kEvalExpect(src, k)) report(R_EXPECT, k, 0, id);
      }
    }
  }
  return true;
}

/** Reset the store and insert the initial state. Returns 0, or a negative error. */
export function eInit(maxMemoryBytes: f64): i32 {
  const sz = kConfigure();
  if (sz < 0) return -1;
  nThreadsCfg = load<u8>(16384 + 4);
  if (nThreadsCfg > MAX_THREADS) return -1;
  stateBytes = <usize>kStateSize();
  recSize = HDR + stateBytes;
  top = HEAP_START;
  maxBytes = maxMemoryBytes > 0 && maxMemoryBytes < 4294901760.0 ? <usize>maxMemoryBytes : 0xffff0000;
  count = 0;
  head = 0;
  transitions = 0;
  terminals = 0;
  maxDepth = 0;
  nReports = 0;
  sometimes = 0;
  nChunks = 0;
  oom = false;
  tableMask = (1 << 12) - 1;
  table = alloc(<usize>(tableMask + 1) << 2);
  if (table == 0) return -2;
  memory.fill(table, 0, <usize>(tableMask + 1) << 2);
  if (kBuildInitial(SCRATCH) != 0) return -3;
  if (insert(SCRATCH, 0xffffffff, 0xff, 0) < 0) return -2;
  return 0;
}

/** Expand up to `budget` states in BFS order. */
export function eRun(budget: i32): i32 {
  if (oom) return RUN_OUT_OF_MEMORY;
  while (head < count && budget-- > 0) {
    const id = head;
    if ((load<u8>(recAddr(id) + 9) & BAD) == 0 && !expand(id)) {
      oom = true;
      return RUN_OUT_OF_MEMORY;
    }
    head++;
  }
  return head < count ? RUN_MORE : RUN_DONE;
}

export function eCount(): u32 {
  return count;
}
export function eHead(): u32 {
  return head;
}
export function eTransitions(): f64 {
  return transitions;
}
export function eTerminals(): u32 {
  return terminals;
}
export function eMaxDepth(): i32 {
  return maxDepth;
}
export function eSometimes(): u32 {
  return sometimes;
}
export function eMemBytes(): f64 {
  return <f64>(top - HEAP_START);
}
export function eStateBytes(): i32 {
  return <i32>stateBytes;
}
export function eReportCount(): i32 {
  return nReports;
}
/** field: 0 kind, 1 code, 2 obj, 3 state id */
export function eReport(k: i32, field: i32): u32 {
  const p = REPORTS + <usize>(k * 8);
  if (field == 0) return load<u8>(p);
  if (field == 1) return load<u8>(p + 1);
  if (field == 2) return load<u8>(p + 2);
  return load<u32>(p + 4);
}
export function eParent(id: u32): u32 {
  return load<u32>(recAddr(id) + 4);
}
export function eMove(id: u32): u32 {
  return load<u8>(recAddr(id) + 8);
}
export function eStateAddr(id: u32): usize {
  return recAddr(id) + HDR;
}
/** Where the host writes the configuration block. */
export function eConfigAddr(): usize {
  return 16384;
}
/** Scratch area for replay (two states). */
export function eScratch(k: i32): usize {
  return SCRATCH + <usize>(k + 1) * 4096;
}
