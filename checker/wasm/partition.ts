// Partitioned breadth-first search (Stern & Dill's parallel Murphi): each worker is an instance of the plain engine
// with its OWN memory and visited set, holding the states whose hash falls in its slice (shardOwner). A worker
// expands the states of its current level; a successor it owns is inserted here as usual, one owned by another
// worker is appended to that worker's outbox (hash, path data and the whole state), which the host carries over
// (checker/search/partition.ts) and the owner inserts into its own next level (partReceive).
//
// Parents are global ids, worker << 28 | record, so a path is rebuilt by asking the owners in turn.
// The ample-set cycle proviso (bfs.ts) needs to know whether a successor is an already stored state of an earlier
// level: for a remote successor only its owner knows, so the owner answers with a reply naming the parent, and the
// parent's worker expands the rest of that parent's enabled moves (partRest) before the level ends, as one worker
// would have done at once. Replies for a parent that needs none (no proviso pending, or expanded fully already)
// are ignored.

import { CTRL, X_AMPLE, X_COUNT, X_FULLEXP, X_LE, X_NREPORTS, X_SOMETIMES, X_TABLE, X_CAP, X_USED, add32, add64, alloc, or32, st32 } from './shared';
import { stateBytes, sleepSets } from './config';
import { FL_BAD, FL_DEAD, FL_EXPANDED, OOM, R_DEPTH, R_WORD, insertFull, isNew, needsGrow, recAddr, recState, visitedGrow } from './visited';
import { judge, jExpect, jFatal, jMask, reportJudged } from './judge';
import { spareObjs } from './expand';
import { shardOwner } from './shard';
import { SEED, expandRest, mergeSleepAt, noteDepth } from './bfs';
import { hash64 } from './hash';

/** Record flag: this state's enabled moves were all explored (the cycle proviso needs no more). */
export const FL_FULL: u32 = 32;
export const ID_BITS: u32 = 28;
export const ID_MASK: u32 = (1 << ID_BITS) - 1;

export let partIndex: u32 = 0;
export let partCount: u32 = 0;

// Outbox entry: hash u64, parent (global) u32, move u8, proviso u8, sleep after the move u16, parent's sleep u16,
// depth u16, then the state (padded by the kernel to whole words).
const E_HASH: usize = 0;
const E_PARENT: usize = 8;
const E_MOVE: usize = 12;
const E_PROVISO: usize = 13;
const E_SLEEP: usize = 14;
const E_PSLEEP: usize = 16;
const E_DEPTH: usize = 18;
const E_STATE: usize = 20;

let entryBytes: usize = 0;
let outCap: usize = 0;
let outBase: usize = 0; // [partCount] buffers of outCap bytes
let outLen: usize = 0; // [partCount] u32 lengths
let inBuf: usize = 0;
let inCap: usize = 0;
let replyBase: usize = 0; // [partCount] buffers of reply entries (parent local id u32, parent sleep u32)
let replyLen: usize = 0;
let replyCap: u32 = 0;

/** Set up worker `index` of `count` (after eInit, which stored the initial state in every worker): the buffers, and
 *  the initial state dropped from every worker but its owner. `outBytes` is the outboxes' capacity each.
 *  Returns the entry size, or 0 when out of memory. */
export function partSetup(index: u32, count: u32, outBytes: u32, replies: u32): u32 {
  partIndex = index;
  partCount = count;
  entryBytes = (E_STATE + stateBytes + 7) & ~7;
  outCap = outBytes;
  outBase = alloc(<usize>count * outCap);
  outLen = alloc(<usize>count << 2);
  inCap = outCap;
  inBuf = alloc(inCap);
  replyCap = replies;
  replyBase = alloc(<usize>count * <usize>replies * 8);
  replyLen = alloc(<usize>count << 2);
  if (outBase == 0 || outLen == 0 || inBuf == 0 || replyBase == 0 || replyLen == 0) return 0;
  memory.fill(outLen, 0, <usize>count << 2);
  memory.fill(replyLen, 0, <usize>count << 2);
  if (ld(CTRL + X_COUNT) == 1 && shardOwner(hash64(recState(0), stateBytes, SEED), count) != index) {
    // Not ours: forget the initial state, its reports and what it satisfied. Its owner keeps them.
    memory.fill(<usize>ld(CTRL + X_TABLE), 0, <usize>ld(CTRL + X_CAP) << 3);
    st32(CTRL + X_USED, 0);
    st32(CTRL + X_COUNT, 0);
    st32(CTRL + X_LE, 0);
    st32(CTRL + X_NREPORTS, 0);
    st32(CTRL + X_SOMETIMES, 0);
  }
  return <u32>entryBytes;
}

// @ts-ignore: decorator
@inline function ld(p: usize): u32 {
  return load<u32>(p);
}

/** The worker that owns a state of hash h. */
// @ts-ignore: decorator
@inline export function ownerOf(h: u64): u32 {
  return shardOwner(h, partCount);
}

/** Append a successor owned by worker `dest` to its outbox. False when the outbox is full (the host sizes the
 *  work budget so that this does not happen between two flushes). */
export function partSend(dest: u32, st: usize, h: u64, parent: u32, mv: u32, proviso: bool, sl: u32, psl: u32, depth: u32): bool {
  const lp = outLen + (<usize>dest << 2);
  const n = <usize>load<u32>(lp);
  if (n + entryBytes > outCap) return false;
  const e = outBase + <usize>dest * outCap + n;
  store<u64>(e + E_HASH, h);
  store<u32>(e + E_PARENT, (partIndex << ID_BITS) | parent);
  store<u8>(e + E_MOVE, <u8>mv);
  store<u8>(e + E_PROVISO, proviso ? 1 : 0);
  store<u16>(e + E_SLEEP, <u16>sl);
  store<u16>(e + E_PSLEEP, <u16>psl);
  store<u16>(e + E_DEPTH, <u16>depth);
  memory.copy(e + E_STATE, st, stateBytes);
  store<u32>(lp, <u32>(n + entryBytes));
  return true;
}

export function outbox(dest: u32): usize {
  return outBase + <usize>dest * outCap;
}
export function outboxBytes(dest: u32): u32 {
  return load<u32>(outLen + (<usize>dest << 2));
}
export function outboxClear(dest: u32): void {
  store<u32>(outLen + (<usize>dest << 2), 0);
}
export function inbox(): usize {
  return inBuf;
}
export function inboxCap(): u32 {
  return <u32>inCap;
}
export function replies(dest: u32): usize {
  return replyBase + <usize>dest * <usize>replyCap * 8;
}
export function replyCount(dest: u32): u32 {
  return load<u32>(replyLen + (<usize>dest << 2));
}
export function repliesClear(dest: u32): void {
  store<u32>(replyLen + (<usize>dest << 2), 0);
}

/** Global id of a local record (parents stored in records). */
// @ts-ignore: decorator
@inline export function globalId(local: u32): u32 {
  return (partIndex << ID_BITS) | local;
}

/** Insert the `bytes` of entries the host copied into the inbox: each a state this worker owns, reached by another
 *  worker. Returns 0, 1 when out of memory, 2 when a reply buffer is full, 3 when a worker holds 2^28 records. */
export function partReceive(bytes: u32): i32 {
  for (let off: usize = 0; off < <usize>bytes; off += entryBytes) {
    if (needsGrow() && !visitedGrow()) return 1;
    if (ld(CTRL + X_COUNT) >= ID_MASK) return 3;
    const e = inBuf + off;
    const st = e + E_STATE;
    const depth = <u32>load<u16>(e + E_DEPTH);
    const sl = <u32>load<u16>(e + E_SLEEP);
    const parent = load<u32>(e + E_PARENT);
    const id = insertFull(st, load<u64>(e + E_HASH), parent, <u32>load<u8>(e + E_MOVE), 0xff, depth, sleepSets ? sl : 0);
    if (id == OOM) return 1;
    if (isNew) {
      noteDepth(depth);
      const objs = spareObjs();
      if (judge(st, objs)) {
        if (jFatal) or32(recAddr(id) + R_WORD, FL_BAD << 16);
        reportJudged(jMask, objs, jExpect, id, 0);
      }
      continue;
    }
    const backEdge = <u32>load<u16>(recAddr(id) + R_DEPTH) < depth;
    if (sleepSets) mergeSleepAt(id, sl);
    if (backEdge && load<u8>(e + E_PROVISO) != 0) {
      const w = parent >> ID_BITS;
      const lp = replyLen + (<usize>w << 2);
      const n = load<u32>(lp);
      if (n >= replyCap) return 2;
      const r = replies(w) + (<usize>n << 3);
      store<u32>(r, parent & ID_MASK);
      store<u32>(r + 4, <u32>load<u16>(e + E_PSLEEP));
      store<u32>(lp, n + 1);
    }
  }
  return 0;
}

/** The cycle proviso for the `n` replies the host copied into the inbox (parent local id, its sleep set when it was
 *  expanded): expand the rest of each parent's enabled moves once. Returns 0, or 1 when out of memory. */
export function partRest(n: u32): i32 {
  for (let k: u32 = 0; k < n; k++) {
    if (needsGrow() && !visitedGrow()) return 1;
    const id = load<u32>(inBuf + (<usize>k << 3));
    const sleep = load<u32>(inBuf + (<usize>k << 3) + 4);
    const w = recAddr(id) + R_WORD;
    const flags = (load<u32>(w) >> 16) & 0xff;
    if ((flags & (FL_FULL | FL_BAD | FL_DEAD)) != 0 || (flags & FL_EXPANDED) == 0) continue;
    or32(w, FL_FULL << 16);
    // One worker counted this expansion as an ample one before it knew.
    add64(CTRL + X_AMPLE, <u64>-1);
    add32(CTRL + X_FULLEXP, 1);
    if (!expandRest(id, sleep)) return 1;
  }
  return 0;
}
