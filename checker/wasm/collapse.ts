// Collapse storage: lossless states stored as a vector of component ids (Holzmann's COLLAPSE compression in SPIN,
// "State compression in SPIN", 1997). A state is cut into components along the kernel's layout (model/layout.ts):
// the global words with the fd tables, the files, the epolls with their items (and the io_uring slots), and one
// component per thread. Each kind of component is interned in a table of its own; a stored state is the vector of
// its components' ids (4 bytes each), which the visited set (visited.ts) keeps in place of the state's bytes.
// Interning is canonical (one id per distinct component: a worker that loses an insertion race takes the
// winner's id), so two states are equal exactly when their vectors are: the storage is exact, like `full`.
//
// Most steps change one thread and one or two shared components: a successor is encoded against the state being
// expanded (the reference), whose unchanged components keep their ids without a lookup.
//
// Tables are open addressing over u64 keys (hash32 << 32 | id + 1), claimed with a compare-and-swap like the
// visited set's; they grow only while no worker inserts (needsGrow/visitedGrow in visited.ts), at half load, so
// that a batch of insertions between two checks never fills one.

import { nThreads, offEpolls, offFiles, offThreads, stateSize, threadStride } from '../../model/layout';
import { CTRL, X_COLLAPSE, add32, alloc, cas64, ld32, ld64, release, st32 } from './shared';
import { arrAt, arrEnsure, arrInit } from './store';
import { hashAny, position, reinsert, sameAny } from './hash';
import { collapseSlotsLog2, stateBytes } from './config';

const KINDS: i32 = 4;
const K_STRIDE: usize = 32;
// Per kind (X_COLLAPSE + kind * K_STRIDE): table, capacity, used, grow-at, id counter, chunk table, element bytes.
const K_TABLE: usize = 0;
const K_CAP: usize = 4;
const K_USED: usize = 8;
const K_GROW_AT: usize = 12;
const K_COUNT: usize = 16;
const K_CHUNKS: usize = 20;
const K_LEN: usize = 24;
// The components: count, then (offset u16, length u16, kind u32) each.
const C_N: usize = <usize>KINDS * K_STRIDE;
const C_LIST: usize = C_N + 4;
const MAX_COMPONENTS: i32 = 15;

const ELEM_SHIFT: u32 = 12;
// Small at first (--max-memory may be a few MiB): 4,096 slots per kind, 16,384 chunks of 4,096 elements (67 M
// distinct components per kind at most; the largest scenarios have tens of thousands).
const INITIAL_LOG2: u32 = 12;
const MAX_CHUNKS: u32 = 1 << 14;
const SEED: u64 = 0x13198a2e03707344;

export const NONE: u32 = 0xffffffff;
export const OOM: u32 = 0xfffffffe;

/** Bytes of a stored vector (4 per component). */
export let vecBytes: usize = 0;
let ncomp: i32 = 0;

// Per-instance buffers: the vector being encoded, the last decoded state and its vector (the reference).
let encBuf: usize = 0;
let decBuf: usize = 0;
let refVec: usize = 0;
let refValid: bool = false;

// @ts-ignore: decorator
@inline function kAddr(kind: i32): usize {
  return CTRL + X_COLLAPSE + <usize>kind * K_STRIDE;
}
// @ts-ignore: decorator
@inline function cOff(c: i32): usize {
  return <usize>load<u16>(CTRL + X_COLLAPSE + C_LIST + <usize>c * 8);
}
// @ts-ignore: decorator
@inline function cLen(c: i32): usize {
  return <usize>load<u16>(CTRL + X_COLLAPSE + C_LIST + <usize>c * 8 + 2);
}
// @ts-ignore: decorator
@inline function cKind(c: i32): i32 {
  return <i32>load<u32>(CTRL + X_COLLAPSE + C_LIST + <usize>c * 8 + 4);
}

function addComponent(off: i32, len: i32, kind: i32): void {
  if (len <= 0) return;
  const n = <i32>load<u32>(CTRL + X_COLLAPSE + C_N);
  const p = CTRL + X_COLLAPSE + C_LIST + <usize>n * 8;
  store<u16>(p, <u16>off);
  store<u16>(p + 2, <u16>len);
  store<u32>(p + 4, kind);
  store<u32>(CTRL + X_COLLAPSE + C_N, n + 1);
  store<u32>(kAddr(kind) + K_LEN, len);
}

/** eInit (one instance, before any worker): cut the layout into components and create the tables. */
export function collapseInit(): bool {
  memory.fill(CTRL + X_COLLAPSE, 0, 256);
  if (nThreads + 3 > MAX_COMPONENTS) return false;
  addComponent(0, offFiles, 0);
  addComponent(offFiles, offEpolls - offFiles, 1);
  addComponent(offEpolls, offThreads - offEpolls, 2);
  for (let t = 0; t < nThreads; t++) addComponent(offThreads + t * threadStride, threadStride, 3);
  const slots: u32 = <u32>1 << (collapseSlotsLog2 != 0 ? collapseSlotsLog2 : INITIAL_LOG2);
  for (let k = 0; k < KINDS; k++) {
    const a = kAddr(k);
    if (load<u32>(a + K_LEN) == 0) continue;
    const t = alloc(<usize>slots << 3);
    if (t == 0) return false;
    memory.fill(t, 0, <usize>slots << 3);
    store<u32>(a + K_TABLE, <u32>t);
    store<u32>(a + K_CAP, slots);
    store<u32>(a + K_GROW_AT, slots >> 1);
    if (!arrInit(X_COLLAPSE + <usize>k * K_STRIDE + K_CHUNKS, MAX_CHUNKS)) return false;
  }
  return collapseAttach();
}

/** Every instance (eInit and each worker's eAttach): read the component list, allocate this instance's buffers. */
export function collapseAttach(): bool {
  ncomp = <i32>load<u32>(CTRL + X_COLLAPSE + C_N);
  vecBytes = <usize>ncomp << 2;
  encBuf = alloc(vecBytes);
  refVec = alloc(vecBytes);
  decBuf = alloc(stateBytes);
  refValid = false;
  return encBuf != 0 && refVec != 0 && decBuf != 0;
}

// @ts-ignore: decorator
@inline function elemAddr(kind: i32, id: u32, len: usize): usize {
  return arrAt(X_COLLAPSE + <usize>kind * K_STRIDE + K_CHUNKS, id, ELEM_SHIFT, len);
}

/** The id of the component of `kind` at p (len bytes): found, or added when `insert`. NONE (not found, lookup
 *  only) or OOM. */
function intern(kind: i32, p: usize, len: usize, insert: bool): u32 {
  const a = kAddr(kind);
  // One instance: grow right here. Workers: the host grows the tables between batches (needsGrow), and the half
  // load leaves room for far more than a batch adds; a table found full ends the search (out of memory) rather
  // than probing forever.
  if (!ASC_FEATURE_THREADS && insert && load<u32>(a + K_USED) >= load<u32>(a + K_GROW_AT) && !growKind(a)) return OOM;
  const h32 = <u32>(hashAny(p, len, SEED) >> 32);
  const tbl = <usize>load<u32>(a + K_TABLE);
  const cap = load<u32>(a + K_CAP);
  let i = position(h32, cap);
  let mine = NONE;
  let probes: u32 = 0;
  while (true) {
    if (++probes > cap) return insert ? OOM : NONE;
    const slot = tbl + (<usize>i << 3);
    let e = ld64(slot);
    if (e == 0) {
      if (!insert) return NONE;
      if (mine == NONE) {
        mine = add32(a + K_COUNT, 1);
        const q = arrEnsure(X_COLLAPSE + <usize>kind * K_STRIDE + K_CHUNKS, mine, ELEM_SHIFT, len);
        if (q == 0) return OOM;
        memory.copy(q, p, len);
      }
      const seen = cas64(slot, 0, ((<u64>h32) << 32) | <u64>(mine + 1));
      if (seen == 0) {
        add32(a + K_USED, 1);
        return mine;
      }
      e = seen;
    }
    if (<u32>(e >> 32) == h32) {
      const id = <u32>e - 1;
      // A copy of ours that lost a race stays unreferenced in the element array.
      if (sameAny(elemAddr(kind, id, len), p, len)) return id;
    }
    i++;
    if (i == cap) i = 0;
  }
  return NONE;
}

/** The vector of state s, into this instance's encoding buffer (collapseKey()). With `insert` false nothing is
 *  added and false is returned if some component was never stored (then no stored state equals s). */
export let encodeOom: bool = false;
export function encode(s: usize, insert: bool): bool {
  encodeOom = false;
  for (let c = 0; c < ncomp; c++) {
    const off = cOff(c);
    const len = cLen(c);
    const v = encBuf + (<usize>c << 2);
    if (refValid && sameAny(s + off, decBuf + off, len)) {
      store<u32>(v, load<u32>(refVec + (<usize>c << 2)));
      continue;
    }
    const id = intern(cKind(c), s + off, len, insert);
    if (id == OOM) {
      encodeOom = true;
      return false;
    }
    if (id == NONE) return false;
    store<u32>(v, id);
  }
  return true;
}

export function collapseKey(): usize {
  return encBuf;
}

/** The state whose vector is at vec, rebuilt into this instance's decoding buffer, which becomes the reference of
 *  the next encodings. Valid until the next decode. */
export function decode(vec: usize): usize {
  for (let c = 0; c < ncomp; c++) {
    const len = cLen(c);
    const id = load<u32>(vec + (<usize>c << 2));
    memory.copy(decBuf + cOff(c), elemAddr(cKind(c), id, len), len);
  }
  // The kernel pads states to whole words with zeroes (kStateSize); no component holds the padding.
  if (stateBytes > <usize>stateSize) memory.fill(decBuf + <usize>stateSize, 0, stateBytes - <usize>stateSize);
  memory.copy(refVec, vec, vecBytes);
  refValid = true;
  return decBuf;
}

/** Vectors are compared as u32 words. */
export function sameVec(a: usize, b: usize): bool {
  for (let i: usize = 0; i < vecBytes; i += 4) if (load<u32>(a + i) != load<u32>(b + i)) return false;
  return true;
}

// ---- growth (no worker inserting) ---------------------------------------------------------------------------

export function collapseNeedsGrow(): bool {
  for (let k = 0; k < KINDS; k++) {
    const a = kAddr(k);
    if (load<u32>(a + K_CAP) != 0 && ld32(a + K_USED) >= load<u32>(a + K_GROW_AT)) return true;
  }
  return false;
}

export function collapseGrow(): bool {
  for (let k = 0; k < KINDS; k++) {
    const a = kAddr(k);
    const cap = load<u32>(a + K_CAP);
    if (cap == 0 || ld32(a + K_USED) < load<u32>(a + K_GROW_AT)) continue;
    if (!growKind(a)) return false;
  }
  return true;
}

/** Double one kind's table. */
function growKind(a: usize): bool {
  const cap = load<u32>(a + K_CAP);
  const tbl = <usize>load<u32>(a + K_TABLE);
  const ncap = cap << 1;
  if (ncap < cap) return false;
  const t = alloc(<usize>ncap << 3);
  if (t == 0) return false;
  memory.fill(t, 0, <usize>ncap << 3);
  for (let j: u32 = 0; j < cap; j++) {
    const e = load<u64>(tbl + (<usize>j << 3));
    if (e == 0) continue;
    reinsert(t, ncap, e);
  }
  release(tbl, <usize>cap << 3);
  st32(a + K_TABLE, <u32>t);
  st32(a + K_CAP, ncap);
  st32(a + K_GROW_AT, ncap >> 1);
  return true;
}

/** Bytes the component tables and their elements occupy. */
export function collapseBytes(): f64 {
  let b: f64 = 0;
  for (let k = 0; k < KINDS; k++) {
    const a = kAddr(k);
    if (load<u32>(a + K_CAP) == 0) continue;
    b += <f64>load<u32>(a + K_CAP) * 8 + <f64>ld32(a + K_COUNT) * <f64>load<u32>(a + K_LEN);
  }
  return b;
}

/** Distinct components stored of each kind (statistics). */
export function collapseCount(kind: i32): u32 {
  return ld32(kAddr(kind) + K_COUNT);
}
