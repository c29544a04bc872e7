// The visited set, in one of three storages:
//   full         open addressing over u64 keys (hash32 << 32 | record id + 1); records hold whole states
//   fingerprint  open addressing over u64 fingerprints (the 64-bit state hash); no states are kept
//   bitstate     a bit array and k positions per state (Holzmann's supertrace): may report a new state as seen
// Positions use a multiply-shift range reduction, so capacities need not be powers of two and the table grows by
// 1.5x at 3/4 load (load stays between 1/2 and 3/4: at most 16 bytes per fingerprint). Insertion is lock-free
// (compare-and-swap on the slot) in the threaded build; growth happens only while no worker inserts.

import {
  CTRL, X_BITMAP, X_CAP, X_COUNT, X_DEAD, X_GROW_AT, X_TABLE, X_USED, add32, alloc, cas64, ld32, ld64, or32,
  release, st32,
} from './shared';
import {
  STORAGE_BITSTATE, STORAGE_FULL, bitSalt, bitsLog2, collapse, hashes, keyExtra, recSize, stateBytes, storage,
} from './config';
import { collapseGrow, collapseKey, collapseNeedsGrow, decode, encode, sameVec, vecBytes } from './collapse';
import { REC_SHIFT, arrAt, arrEnsure } from './store';
import { X_CHUNKS_REC } from './shared';
import { mix64, position, reinsert, sameBytes } from './hash';
import { kBuildInitial } from '../../model/index';

// Record header (full storage): parent u32, move u8, last thread u8 (pb key), depth u16, and a word holding sleep
// set (u16) | flags (u8) << 16 | preemptions (u8) << 24; then the state, or with collapse storage its vector of
// component ids (collapse.ts). The table's key holds the hash.
export const R_PARENT: usize = 0;
export const R_MOVE: usize = 4;
export const R_LAST: usize = 5;
export const R_DEPTH: usize = 6;
export const R_WORD: usize = 8;
export const HDR: usize = 12;
export const FL_BAD: u32 = 1;
export const FL_EXPANDED: u32 = 2;
export const FL_DEAD: u32 = 4;
export const FL_ONSTACK: u32 = 8;
export const FL_REPORT: u32 = 16; // pb: something is violated here (reported when taken from its bucket)

export const NONE: u32 = 0xffffffff;
export const OOM: u32 = 0xfffffffe;

let tbl: usize = 0;
let cap: u32 = 0;
let bitmap: usize = 0;

/** Outcome of the last insert: was it new, and the slot it occupies (fingerprint storage). */
export let isNew: bool = false;
export let slotOf: u32 = 0;

export function visitedReload(): void {
  tbl = <usize>ld32(CTRL + X_TABLE);
  cap = ld32(CTRL + X_CAP);
  bitmap = <usize>ld32(CTRL + X_BITMAP);
}

// @ts-ignore: decorator
@inline export function recAddr(id: u32): usize {
  return arrAt(X_CHUNKS_REC, id, REC_SHIFT, recSize);
}

/** Build the initial state into s, padding included: the kernel writes only its layout's bytes, and the padding
 *  to whole words (kStateSize) is hashed and compared with the rest, so it must not keep an earlier search's bytes
 *  (collapse storage rebuilds states with zero padding). False if the kernel could not build it. */
export function buildInitial(s: usize): bool {
  memory.fill(s, 0, stateBytes);
  return kBuildInitial(s) == 0;
}

/** The state of record id: in place (full storage) or rebuilt from its components (collapse storage, into a
 *  buffer of this instance that the next call reuses). */
export function recState(id: u32): usize {
  const r = recAddr(id) + HDR;
  return collapse ? decode(r) : r;
}

/** Create the table: `slots` entries (full, fingerprint) or 2^bitsLog2 bits. With a level bitmap for the
 *  fingerprint BFS cycle proviso when `withBitmap`. */
export function visitedCreate(slots: u32, withBitmap: bool): bool {
  let bytes: usize;
  if (storage == STORAGE_BITSTATE) {
    bytes = (<usize>1 << <usize>bitsLog2) >> 3;
    slots = <u32>(bytes >> 2);
  } else bytes = <usize>slots << 3;
  const t = alloc(bytes);
  if (t == 0) return false;
  memory.fill(t, 0, bytes);
  st32(CTRL + X_TABLE, <u32>t);
  st32(CTRL + X_CAP, slots);
  st32(CTRL + X_USED, 0);
  st32(CTRL + X_GROW_AT, storage == STORAGE_BITSTATE ? 0xffffffff : slots - (slots >> 2));
  st32(CTRL + X_BITMAP, 0);
  if (withBitmap && storage != STORAGE_BITSTATE) {
    const b = alloc(bitmapBytes(slots));
    if (b == 0) return false;
    memory.fill(b, 0, bitmapBytes(slots));
    st32(CTRL + X_BITMAP, <u32>b);
  }
  visitedReload();
  return true;
}

function bitmapBytes(slots: u32): usize {
  return ((<usize>slots + 63) >> 6) << 3;
}

/** Bytes the visited set occupies. */
export function visitedBytes(): usize {
  if (storage == STORAGE_BITSTATE) return <usize>cap << 2;
  return (<usize>cap << 3) + (bitmap != 0 ? bitmapBytes(cap) : 0);
}

export function visitedCap(): u32 {
  return cap;
}

/** Slots this instance filled and not yet added to X_USED: one shared atomic add per 64 insertions. */
let usedDelta: u32 = 0;
// @ts-ignore: decorator
@inline function used1(): void {
  if (++usedDelta >= 64) flushUsed();
}
export function flushUsed(): void {
  if (usedDelta != 0) add32(CTRL + X_USED, usedDelta);
  usedDelta = 0;
}

export function needsGrow(): bool {
  return ld32(CTRL + X_USED) + usedDelta >= ld32(CTRL + X_GROW_AT) || (collapse && collapseNeedsGrow());
}

/** Grow what needs it (only while nobody inserts): the table by 1.5x, collapse storage's component tables. */
export function visitedGrow(): bool {
  flushUsed();
  if (collapse && !collapseGrow()) return false;
  if (ld32(CTRL + X_USED) < ld32(CTRL + X_GROW_AT)) return true;
  const ncap = cap + (cap >> 1);
  const t = alloc(<usize>ncap << 3);
  if (t == 0) return false;
  memory.fill(t, 0, <usize>ncap << 3);
  let nb: usize = 0;
  if (bitmap != 0) {
    nb = alloc(bitmapBytes(ncap));
    if (nb == 0) return false;
    memory.fill(nb, 0, bitmapBytes(ncap));
  }
  for (let j: u32 = 0; j < cap; j++) {
    const e = load<u64>(tbl + (<usize>j << 3));
    if (e == 0) continue;
    const i = reinsert(t, ncap, e);
    if (bitmap != 0 && (load<u32>(bitmap + (<usize>(j >> 5) << 2)) & (<u32>1 << (j & 31))) != 0) {
      const w = nb + (<usize>(i >> 5) << 2);
      store<u32>(w, load<u32>(w) | (<u32>1 << (i & 31)));
    }
  }
  release(tbl, <usize>cap << 3);
  if (bitmap != 0) release(bitmap, bitmapBytes(cap));
  st32(CTRL + X_TABLE, <u32>t);
  st32(CTRL + X_CAP, ncap);
  st32(CTRL + X_GROW_AT, ncap - (ncap >> 2));
  st32(CTRL + X_BITMAP, <u32>nb);
  visitedReload();
  return true;
}

/** Forget which slots were filled in the current BFS level. */
export function clearLevelBits(): void {
  if (bitmap != 0) memory.fill(bitmap, 0, bitmapBytes(cap));
}

/** Was the fingerprint at slotOf inserted during the current level? */
export function insertedThisLevel(): bool {
  if (bitmap == 0) return false;
  return (ld32(bitmap + (<usize>(slotOf >> 5) << 2)) & (<u32>1 << (slotOf & 31))) != 0;
}

// ---- full storage -------------------------------------------------------------------------------------------

// Record ids of a worker instance come in blocks taken from the shared counter: with one id at a time the two
// workers' records interleave, and consecutive records share cache lines that both cores then write. Ids of a
// block left unused when the worker stops (end of a level, a grow, a limit) become dead records (releaseIds).
const ID_BLOCK: u32 = 64;
let idBlocks: bool = false;
let idNext: u32 = 0;
let idEnd: u32 = 0;
/** This instance is a worker of the shared-memory search: take record ids in blocks. */
export function useIdBlocks(): void {
  idBlocks = true;
  idNext = 0;
  idEnd = 0;
}

function nextId(): u32 {
  if (!ASC_FEATURE_THREADS || !idBlocks) return add32(CTRL + X_COUNT, 1);
  if (idNext == idEnd) {
    idNext = add32(CTRL + X_COUNT, ID_BLOCK);
    idEnd = idNext + ID_BLOCK;
  }
  return idNext++;
}

/** The ids of this worker's block it did not use become dead records (counted in X_DEAD). false when out of
 *  memory for them. */
export function releaseIds(): bool {
  if (!ASC_FEATURE_THREADS || !idBlocks || idNext == idEnd) return true;
  const n = idEnd - idNext;
  for (let id = idNext; id < idEnd; id++) {
    const r = arrEnsure(X_CHUNKS_REC, id, REC_SHIFT, recSize);
    if (r == 0) return false;
    store<u32>(r + R_WORD, FL_DEAD << 16);
  }
  add32(CTRL + X_DEAD, n);
  idNext = idEnd;
  return true;
}

/** Append a record (a fresh id) holding the key at s (a state, or a vector). OOM when out of memory. */
function newRecord(s: usize, n: usize, parent: u32, mv: u32, last: u32, depth: u32, word: u32): u32 {
  const id = nextId();
  const r = arrEnsure(X_CHUNKS_REC, id, REC_SHIFT, recSize);
  if (r == 0) return OOM;
  store<u32>(r + R_PARENT, parent);
  store<u8>(r + R_MOVE, <u8>mv);
  store<u8>(r + R_LAST, <u8>last);
  store<u16>(r + R_DEPTH, <u16>depth);
  store<u32>(r + R_WORD, word);
  memory.copy(r + HDR, s, n);
  return id;
}

// @ts-ignore: decorator
@inline function sameKey(r: usize, k: usize): bool {
  return collapse ? sameVec(r, k) : sameBytes(r, k, stateBytes);
}

/** Insert state s (hash h) with its path data, or find it. Returns the record id (isNew tells which), or OOM. */
export function insertFull(s0: usize, h: u64, parent: u32, mv: u32, last: u32, depth: u32, word: u32): u32 {
  let s = s0;
  let n = stateBytes;
  if (collapse) {
    if (!encode(s0, true)) return OOM;
    s = collapseKey();
    n = vecBytes;
  }
  const h32 = <u32>(h >> 32);
  let i = position(h32, cap);
  let mine = NONE;
  while (true) {
    const slot = tbl + (<usize>i << 3);
    let e = ld64(slot);
    if (e == 0) {
      if (mine == NONE) {
        mine = newRecord(s, n, parent, mv, last, depth, word);
        if (mine == OOM) return OOM;
      }
      const seen = cas64(slot, 0, ((<u64>h32) << 32) | <u64>(mine + 1));
      if (seen == 0) {
        used1();
        isNew = true;
        return mine;
      }
      e = seen;
    }
    if (<u32>(e >> 32) == h32) {
      const id = <u32>e - 1;
      const r = recAddr(id);
      if ((!keyExtra || <u32>load<u8>(r + R_LAST) == last) && sameKey(r + HDR, s)) {
        if (mine != NONE) {
          // Lost a race: another worker published the same state first.
          store<u32>(recAddr(mine) + R_WORD, FL_DEAD << 16);
          add32(CTRL + X_DEAD, 1);
        }
        isNew = false;
        return id;
      }
    }
    i++;
    if (i == cap) i = 0;
  }
  return NONE;
}

/** Look a state up without inserting (DFS stack proviso). */
export function findFull(s0: usize, h: u64): u32 {
  let s = s0;
  if (collapse) {
    // A component never stored means a state never stored.
    if (!encode(s0, false)) return NONE;
    s = collapseKey();
  }
  const h32 = <u32>(h >> 32);
  let i = position(h32, cap);
  while (true) {
    const e = ld64(tbl + (<usize>i << 3));
    if (e == 0) return NONE;
    if (<u32>(e >> 32) == h32) {
      const id = <u32>e - 1;
      if (sameKey(recAddr(id) + HDR, s)) return id;
    }
    i++;
    if (i == cap) i = 0;
  }
  return NONE;
}

// ---- fingerprint storage -----------------------------------------------------------------------------------

export function insertFp(h: u64): bool {
  const fp: u64 = h == 0 ? 1 : h;
  let i = position(<u32>(fp >> 32), cap);
  while (true) {
    const slot = tbl + (<usize>i << 3);
    let e = ld64(slot);
    if (e == 0) {
      const seen = cas64(slot, 0, fp);
      if (seen == 0) {
        used1();
        slotOf = i;
        if (bitmap != 0) or32(bitmap + (<usize>(i >> 5) << 2), <u32>1 << (i & 31));
        isNew = true;
        return true;
      }
      e = seen;
    }
    if (e == fp) {
      slotOf = i;
      isNew = false;
      return false;
    }
    i++;
    if (i == cap) i = 0;
  }
  return false;
}

export function containsFp(h: u64): bool {
  const fp: u64 = h == 0 ? 1 : h;
  let i = position(<u32>(fp >> 32), cap);
  while (true) {
    const e = ld64(tbl + (<usize>i << 3));
    if (e == 0) return false;
    if (e == fp) return true;
    i++;
    if (i == cap) i = 0;
  }
  return false;
}

// ---- bitstate ----------------------------------------------------------------------------------------------

export function insertBits(h0: u64): bool {
  // A non-zero salt picks other bit positions for the same states (swarm verification's hash diversity).
  const h = bitSalt == 0 ? h0 : mix64(h0 ^ ((<u64>bitSalt) * 0x9e3779b97f4a7c15));
  const h2 = mix64(h) | 1;
  const mask: u64 = ((<u64>1) << <u64>bitsLog2) - 1;
  let fresh = false;
  let x = h;
  for (let j = 0; j < hashes; j++) {
    const idx = x & mask;
    const w = tbl + (<usize>(idx >> 5) << 2);
    const b = <u32>1 << <u32>(idx & 31);
    if ((ld32(w) & b) == 0 && (or32(w, b) & b) == 0) fresh = true;
    x += h2;
  }
  if (fresh) used1();
  isNew = fresh;
  return fresh;
}

/** Insert by the configured storage (fingerprint or bitstate). */
export function insertHash(h: u64): bool {
  return storage == STORAGE_BITSTATE ? insertBits(h) : insertFp(h);
}

export function isFull(): bool {
  return storage == STORAGE_FULL;
}
