// Chunked arrays in linear memory: records (full storage), BFS level queues (fingerprint and bitstate storage), the
// parent log, and work lists. Each array is a table of chunk pointers whose address lives in the control block;
// chunks are allocated on first use, under a lock, so that several workers can append concurrently.

import { CTRL, X_CHUNK_LOCK, alloc, ld32, lock, st32, unlock } from './shared';

export const REC_SHIFT: u32 = 12;
export const Q_SHIFT: u32 = 12;
export const LOG_SHIFT: u32 = 16;
export const LIST_SHIFT: u32 = 12;
/** Chunk tables hold their capacity in the word before the first pointer. */
export function arrInit(off: usize, maxChunks: u32): bool {
  const t = alloc((<usize>maxChunks + 1) << 2);
  if (t == 0) return false;
  memory.fill(t, 0, (<usize>maxChunks + 1) << 2);
  store<u32>(t, maxChunks);
  store<u32>(CTRL + off, <u32>(t + 4));
  return true;
}

/** Address of element idx of an array whose chunk already exists (reading). */
// @ts-ignore: decorator
@inline export function arrAt(off: usize, idx: u32, shift: u32, elem: usize): usize {
  const t = <usize>load<u32>(CTRL + off);
  return <usize>ld32(t + (<usize>(idx >> shift) << 2)) + <usize>(idx & ((<u32>1 << shift) - 1)) * elem;
}

/** Address of element idx, allocating its chunk if needed. 0 when out of memory. */
export function arrEnsure(off: usize, idx: u32, shift: u32, elem: usize): usize {
  const t = <usize>load<u32>(CTRL + off);
  const c = idx >> shift;
  if (c >= load<u32>(t - 4)) return 0;
  const slot = t + (<usize>c << 2);
  let p = <usize>ld32(slot);
  if (p == 0) {
    lock(X_CHUNK_LOCK);
    p = <usize>ld32(slot);
    if (p == 0) {
      p = alloc((<usize>1 << shift) * elem);
      if (p != 0) st32(slot, <u32>p);
    }
    unlock(X_CHUNK_LOCK);
    if (p == 0) return 0;
  }
  return p + <usize>(idx & ((<u32>1 << shift) - 1)) * elem;
}
