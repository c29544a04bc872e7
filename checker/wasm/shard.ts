// Sharding one breadth-first search over independent processes (fdrace check --shard i/n, checker/search/shard.ts).
// Every shard runs the same deterministic prefix of the search; at the end of the level where the host decides to
// cut, each shard keeps in the next level only the states whose hash falls in its slice and explores their
// subgraphs with its own visited set. States it does not own stay in that visited set: they are reachable, their
// owner explores below them, and keeping them avoids exploring their subgraphs twice (docs/search.md, "Sharding").
// Also here: the stored states' hashes, for the union of several shards' state sets.

import { CTRL, X_COUNT, X_LE, X_NEXTN, X_REOPEN_NEXT, X_TABLE, X_CAP, alloc, ld32, or32, st32 } from './shared';
import { STORAGE_BITSTATE, STORAGE_FULL, stateBytes, storage } from './config';
import { LIST_SHIFT, Q_SHIFT, arrAt } from './store';
import { FL_BAD, FL_DEAD, FL_EXPANDED, R_WORD, recAddr, recState } from './visited';
import { SEED, queueOff, reopenOff } from './bfs';
import { hash64, mix64 } from './hash';

/** The shard (0..count-1) that owns a state with hash h. Mixed again so that the slice is independent of the
 *  table position, which uses the hash's high bits. */
export function shardOwner(h: u64, count: u32): u32 {
  return <u32>(((mix64(h) >> 32) * <u64>count) >> 32);
}

function owned(s: usize, index: u32, count: u32): bool {
  return shardOwner(hash64(s, stateBytes, SEED), count) == index;
}

/** Between two BFS levels (no worker running, before bfsNextLevel): drop from the next level the states, and the
 *  sleep-set re-expansions, of other shards. Full storage keeps their records and marks them expanded, so that a
 *  later arrival with a smaller sleep set still queues the re-expansion it needs here. Returns the work kept. */
export function shardCut(index: u32, count: u32): u32 {
  let kept: u32 = 0;
  if (storage == STORAGE_FULL) {
    const le = ld32(CTRL + X_LE);
    const n = ld32(CTRL + X_COUNT);
    for (let id = le; id < n; id++) {
      const r = recAddr(id);
      if ((((ld32(r + R_WORD) >> 16) & 0xff) & (FL_BAD | FL_DEAD)) != 0) continue;
      if (owned(recState(id), index, count)) kept++;
      else or32(r + R_WORD, FL_EXPANDED << 16);
    }
    const off = reopenOff(true);
    const m = ld32(CTRL + X_REOPEN_NEXT);
    let k: u32 = 0;
    for (let i: u32 = 0; i < m; i++) {
      const q = arrAt(off, i, LIST_SHIFT, 8);
      const id = load<u32>(q);
      if (!owned(recState(id), index, count)) continue;
      const d = arrAt(off, k, LIST_SHIFT, 8);
      const moves = load<u32>(q + 4);
      store<u32>(d, id);
      store<u32>(d + 4, moves);
      k++;
    }
    st32(CTRL + X_REOPEN_NEXT, k);
    return kept + k;
  }
  const off = queueOff(true);
  const esz: usize = 8 + stateBytes;
  const n = ld32(CTRL + X_NEXTN);
  for (let i: u32 = 0; i < n; i++) {
    const q = arrAt(off, i, Q_SHIFT, esz);
    if (!owned(q + 8, index, count)) continue;
    if (kept != i) memory.copy(arrAt(off, kept, Q_SHIFT, esz), q, esz);
    kept++;
  }
  st32(CTRL + X_NEXTN, kept);
  return kept;
}

// ---- the stored states' hashes ------------------------------------------------------------------------------

export const HASH_BATCH: u32 = 1 << 16;
let hashBuf: usize = 0;
let cursor: u32 = 0;

/** The buffer stateHashes writes into (HASH_BATCH u64 values), allocated on first use; 0 if out of memory. */
export function hashBuffer(): usize {
  if (hashBuf == 0) hashBuf = alloc(<usize>HASH_BATCH << 3);
  return hashBuf;
}

/** eInit frees the whole heap: the buffer must be allocated again. */
export function forgetHashBuffer(): void {
  hashBuf = 0;
  cursor = 0;
}

/** Write the next batch of stored states' 64-bit hashes (the fingerprints: hash of the canonical state; 0 is
 *  written as 1, as the fingerprint table does) into hashBuffer(). `restart` starts from the first state. Returns
 *  how many were written: 0 at the end. Bitstate keeps no hashes: always 0. */
export function stateHashes(restart: bool): u32 {
  if (restart) cursor = 0;
  if (hashBuffer() == 0 || storage == STORAGE_BITSTATE) return 0;
  let k: u32 = 0;
  if (storage == STORAGE_FULL) {
    const n = ld32(CTRL + X_COUNT);
    while (cursor < n && k < HASH_BATCH) {
      const r = recAddr(cursor);
      cursor++;
      if ((((ld32(r + R_WORD) >> 16) & 0xff) & FL_DEAD) != 0) continue;
      const h = hash64(recState(cursor - 1), stateBytes, SEED);
      store<u64>(hashBuf + (<usize>k << 3), h == 0 ? 1 : h);
      k++;
    }
    return k;
  }
  const tbl = <usize>ld32(CTRL + X_TABLE);
  const cap = ld32(CTRL + X_CAP);
  while (cursor < cap && k < HASH_BATCH) {
    const e = load<u64>(tbl + ((<usize>cursor) << 3));
    cursor++;
    if (e == 0) continue;
    store<u64>(hashBuf + (<usize>k << 3), e);
    k++;
  }
  return k;
}
