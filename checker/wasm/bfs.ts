// Breadth-first search, level by level. A level is a range of work items handed out in small grabs from a shared
// cursor, so one or several workers (threaded build) can expand it; the next level is appended concurrently and
// becomes current only when every worker has finished (the host's barrier, eBfsNextLevel).
//   full storage:        the level is the records [LS, LE) plus re-expansions queued by sleep sets
//   fingerprint/bitstate: the level is a queue of whole states; a parent log gives each state's path

import { Run } from '../../model/abi';
import { kCanonicalize } from '../../model/index';
import {
  CTRL, X_AMPLE, X_BOUNDERR, X_CHUNKS_LOG, X_CHUNKS_QA, X_CHUNKS_QB, X_CHUNKS_RA, X_CHUNKS_RB, X_COUNT,
  X_CURSOR, X_DEPTHCUT, X_FULLEXP, X_LE, X_LEVEL, X_LS, X_MAXDEPTH, X_MAXSTATES, X_NEXTN, X_QCUR, X_REOPEN_CUR,
  X_REOPEN_NEXT, X_SLEPT, X_TRANSITIONS, add32, add64, cas32, ld32, max32, or32, st32, stopRequested,
} from './shared';
import { STORAGE_BITSTATE, STORAGE_FULL, maxDepth, sleepSets, stateBytes, storage, symmetry } from './config';
import { LIST_SHIFT, LOG_SHIFT, Q_SHIFT, arrAt, arrEnsure } from './store';
import {
  FL_BAD, FL_DEAD, FL_EXPANDED, NONE, OOM, R_DEPTH, R_WORD, insertFull, insertHash, insertedThisLevel, isNew, releaseIds,
  buildInitial, flushUsed, needsGrow, recAddr, recState, visitedGrow, visitedReload, clearLevelBits,
} from './visited';
import {
  S_STATE, canonicalSucc, enabledMask, fatalSucc, generate, judgeNewSucc, judgeSucc, reportSucc, sleepAfter, spareObjs, succ,
} from './expand';
import { ample } from './por';
import { judge, jExpect, jFatal, jMask, reportJudged, terminal } from './judge';
import { hash64 } from './hash';
import { FL_FULL, ID_MASK, globalId, ownerOf, partCount, partIndex, partSend } from './partition';

export const RUN_DONE = Run.Done;
export const RUN_MORE = Run.More;
export const RUN_OUT_OF_MEMORY = Run.OutOfMemory;
export const RUN_CAPACITY = Run.Capacity;
export const RUN_LEVEL_DONE = Run.LevelDone;
export const RUN_GROW = Run.Grow;
export const RUN_BOUND = Run.Bound;
export const RUN_LIMIT = Run.Limit;
export const RUN_STOPPED = Run.Stopped;
export const RUN_FOUND = Run.Found;

export const SEED: u64 = 0x243f6a8885a308d3;
const GRAB: u32 = 32;

// Per-instance statistics, added to the control block at the end of each call.
let transitions: u64 = 0;
let ampleN: u64 = 0;
let fullN: u32 = 0;
let slept: u64 = 0;
let deepest: u32 = 0;

export function flushStats(): void {
  flushUsed();
  if (transitions != 0) add64(CTRL + X_TRANSITIONS, transitions);
  if (ampleN != 0) add64(CTRL + X_AMPLE, ampleN);
  if (slept != 0) add64(CTRL + X_SLEPT, slept);
  if (fullN != 0) add32(CTRL + X_FULLEXP, fullN);
  max32(CTRL + X_MAXDEPTH, deepest);
  transitions = 0;
  ampleN = 0;
  slept = 0;
  fullN = 0;
  deepest = 0;
}

export function countTransition(): void {
  transitions++;
}
export function noteDepth(d: u32): void {
  if (d > deepest) deepest = d;
}

// ---- queues (fingerprint, bitstate) and the parent log --------------------------------------------------

export function queueOff(next: bool): usize {
  const cur = ld32(CTRL + X_QCUR);
  return (cur == 0) != next ? X_CHUNKS_QA : X_CHUNKS_QB;
}
export function reopenOff(next: bool): usize {
  const cur = ld32(CTRL + X_QCUR);
  return (cur == 0) != next ? X_CHUNKS_RA : X_CHUNKS_RB;
}

/** Log entry of state `seq`: parent << 4 | move (0xFFFFFFFF for the initial state, 0xFFFFFFFE if unknown). */
export function logSet(seq: u32, parent: u32, mv: u32): bool {
  const p = arrEnsure(X_CHUNKS_LOG, seq, LOG_SHIFT, 4);
  if (p == 0) return false;
  store<u32>(p, parent == NONE ? 0xffffffff : parent < 0x10000000 ? (parent << 4) | mv : 0xfffffffe);
  return true;
}
export function logGet(seq: u32): u32 {
  return load<u32>(arrAt(X_CHUNKS_LOG, seq, LOG_SHIFT, 4));
}

// ---- initial state -----------------------------------------------------------------------------------------

/** Build and insert the initial state (canonicalised). Returns false when out of memory. */
export function insertInitial(s: usize, full: bool): bool {
  if (!buildInitial(s)) return false;
  const objs = spareObjs();
  const bad = judge(s, objs);
  const mask = jMask;
  const fails = jExpect;
  const fatal = jFatal;
  canonicalInitial(s);
  const h = hash64(s, stateBytes, SEED);
  if (full) {
    const id = insertFull(s, h, NONE, 0xff, 0xff, 0, fatal ? FL_BAD << 16 : 0);
    if (id == OOM) return false;
  } else {
    insertHash(h);
    const seq = add32(CTRL + X_COUNT, 1);
    if (!logSet(seq, NONE, 0)) return false;
    if (!fatal) {
      const idx = add32(CTRL + X_NEXTN, 1);
      const q = arrEnsure(queueOff(true), idx, Q_SHIFT, 8 + stateBytes);
      if (q == 0) return false;
      store<u32>(q, seq);
      memory.copy(q + 8, s, stateBytes);
    }
  }
  if (bad) reportJudged(mask, objs, fails, 0, 0);
  return true;
}

function canonicalInitial(s: usize): void {
  if (symmetry) kCanonicalize(s);
}

/** Set up level 0 (after insertInitial). */
export function bfsStart(): void {
  st32(CTRL + X_LEVEL, 0);
  st32(CTRL + X_CURSOR, 0);
  if (storage == STORAGE_FULL) {
    st32(CTRL + X_LS, 0);
    st32(CTRL + X_LE, ld32(CTRL + X_COUNT));
  } else {
    // The initial state was appended to the "next" queue: make it current.
    st32(CTRL + X_QCUR, ld32(CTRL + X_QCUR) ^ 1);
    st32(CTRL + X_LS, 0);
    st32(CTRL + X_LE, ld32(CTRL + X_NEXTN));
    st32(CTRL + X_NEXTN, 0);
  }
  st32(CTRL + X_REOPEN_CUR, 0);
  st32(CTRL + X_REOPEN_NEXT, 0);
}

/** End of a level (one instance, all workers idle): make the next level current. Returns 1 if it has work. */
export function bfsNextLevel(): i32 {
  st32(CTRL + X_CURSOR, 0);
  st32(CTRL + X_LEVEL, ld32(CTRL + X_LEVEL) + 1);
  st32(CTRL + X_QCUR, ld32(CTRL + X_QCUR) ^ 1);
  st32(CTRL + X_REOPEN_CUR, ld32(CTRL + X_REOPEN_NEXT));
  st32(CTRL + X_REOPEN_NEXT, 0);
  if (storage == STORAGE_FULL) {
    st32(CTRL + X_LS, ld32(CTRL + X_LE));
    st32(CTRL + X_LE, ld32(CTRL + X_COUNT));
  } else {
    st32(CTRL + X_LS, 0);
    st32(CTRL + X_LE, ld32(CTRL + X_NEXTN));
    st32(CTRL + X_NEXTN, 0);
  }
  clearLevelBits();
  const work = ld32(CTRL + X_LE) - ld32(CTRL + X_LS) + ld32(CTRL + X_REOPEN_CUR);
  return work > 0 ? 1 : 0;
}

/** Work items left in the current level (progress). */
export function levelRemaining(): u32 {
  const total = ld32(CTRL + X_LE) - ld32(CTRL + X_LS) + ld32(CTRL + X_REOPEN_CUR);
  const c = ld32(CTRL + X_CURSOR);
  return c >= total ? 0 : total - c;
}

// ---- inserting one successor ----------------------------------------------------------------------------

/** Set by insertSucc: the successor existed already and is not in the next level (a possible cycle edge). */
let backEdge: bool = false;

function insertSucc(m: i32, sl: u32, parent: u32, depth: u32): bool {
  const e = succ(m);
  const st = e + S_STATE;
  const sl2 = canonicalSucc(m, sl);
  const h = hash64(st, stateBytes, SEED);
  transitions++;
  backEdge = false;
  if (storage == STORAGE_FULL) {
    let p = parent;
    if (partCount > 1) {
      // Partitioned workers (partition.ts): another worker's state goes to its outbox; parents are global ids.
      const o = ownerOf(h);
      if (o != partIndex) return partSend(o, st, h, parent, <u32>m, provisoPending, sleepSets ? sl2 : 0, curSleep, depth);
      if (ld32(CTRL + X_COUNT) >= ID_MASK) return false;
      p = globalId(parent);
    }
    const id = insertFull(st, h, p, <u32>m, 0xff, depth, sleepSets ? sl2 : 0);
    if (id == OOM) return false;
    if (isNew) {
      if (depth > deepest) deepest = depth;
      judgeNewSucc(m, id); // once, when new (the ample-set test may have judged it already)
    } else {
      const r = recAddr(id);
      backEdge = <u32>load<u16>(r + R_DEPTH) < depth;
      if (sleepSets) mergeSleep(id, sl2);
    }
    return true;
  }
  if (insertHash(h)) {
    const seq = add32(CTRL + X_COUNT, 1);
    if (!logSet(seq, parent, <u32>m)) return false;
    if (depth > deepest) deepest = depth;
    if (judgeSucc(m)) {
      reportSucc(m, seq, 0);
      if (fatalSucc(m)) return true;
    }
    const idx = add32(CTRL + X_NEXTN, 1);
    const q = arrEnsure(queueOff(true), idx, Q_SHIFT, 8 + stateBytes);
    if (q == 0) return false;
    store<u32>(q, seq);
    memory.copy(q + 8, st, stateBytes);
  } else {
    backEdge = storage == STORAGE_BITSTATE ? true : !insertedThisLevel();
  }
  return true;
}

/** Partitioned workers: the expansion in progress may still need the cycle proviso (a remote successor's owner
 *  answers), and the sleep set it was expanded with. */
let provisoPending: bool = false;
let curSleep: u32 = 0;

export function mergeSleepAt(id: u32, sl: u32): void {
  mergeSleep(id, sl);
}

/** Partitioned workers: the cycle proviso asked for the full expansion of record id, expanded with sleep set
 *  `sleep`: explore the enabled moves outside its ample set, as expandState does when it sees the back edge. */
export function expandRest(id: u32, sleep: u32): bool {
  const src = recState(id);
  const depth = <u32>load<u16>(recAddr(id) + R_DEPTH);
  generate(src);
  const en = enabledMask;
  const amp = ample(src);
  let ok = true;
  if (amp != 0xffffffff && amp != en) {
    let explored = amp & ~sleep;
    provisoPending = false;
    curSleep = sleep;
    let k = en & ~amp & ~sleep;
    while (k != 0) {
      const m = <i32>ctz(k);
      k &= k - 1;
      if (!insertSucc(m, sleepAfter(m, sleep, explored), id, depth + 1)) {
        ok = false;
        break;
      }
      explored |= <u32>1 << m;
    }
  }
  flushStats();
  return ok;
}

/** A state reached again with sleep set `sl` (Godefroid 1996, state caching with sleep sets): before its
 *  expansion the stored sleep set shrinks to the intersection; after it, the moves that were asleep then but are
 *  awake now are queued for re-expansion in the next level. */
function mergeSleep(id: u32, sl: u32): void {
  const p = recAddr(id) + R_WORD;
  while (true) {
    const w = ld32(p);
    const flags = (w >> 16) & 0xff;
    if ((flags & (FL_BAD | FL_DEAD)) != 0) return;
    const old = w & 0xffff;
    const nw = (w & 0xffff0000) | (old & sl);
    if (nw == w) return;
    if (cas32(p, w, nw) != w) continue;
    if ((flags & FL_EXPANDED) != 0) {
      const idx = add32(CTRL + X_REOPEN_NEXT, 1);
      const q = arrEnsure(reopenOff(true), idx, LIST_SHIFT, 8);
      if (q == 0) return; // out of memory: the search ends with OOM at the next allocation anyway
      store<u32>(q, id);
      store<u32>(q + 4, old & ~sl);
    }
    return;
  }
}

// ---- expanding one state -----------------------------------------------------------------------------------

/** Expand src (state `seq` at depth `depth`, sleep set `sleep`). With `reopen` != 0 only those moves are explored
 *  (a sleep-set re-expansion). Returns false when out of memory; a bound violation is left in X_BOUNDERR. */
export function expandState(src: usize, seq: u32, depth: u32, sleep: u32, reopen: u32): bool {
  generate(src);
  const en = enabledMask;
  if (en == 0) {
    terminal(src, seq, 0);
    return true;
  }
  if (depth >= <u32>maxDepth) {
    st32(CTRL + X_DEPTHCUT, 1);
    return true;
  }
  let amp = en;
  let explore: u32;
  if (reopen != 0) explore = reopen & en;
  else {
    amp = ample(src);
    if (amp == 0xffffffff) return true;
    explore = amp & ~sleep;
    slept += popcnt(amp & sleep);
  }
  let explored: u32 = 0;
  let cycle = false;
  provisoPending = amp != en;
  curSleep = sleep;
  let k = explore;
  while (k != 0) {
    const m = <i32>ctz(k);
    k &= k - 1;
    if (!insertSucc(m, sleepAfter(m, sleep, explored), seq, depth + 1)) return false;
    if (backEdge) cycle = true;
    explored |= <u32>1 << m;
  }
  if (amp != en) {
    if (cycle) {
      // Cycle proviso (BFS form): an ample move led back to a state of this or an earlier level, so this state
      // might close a cycle of ample-only expansions: expand it fully.
      fullN++;
      provisoPending = false;
      if (partCount > 1 && storage == STORAGE_FULL) or32(recAddr(seq) + R_WORD, FL_FULL << 16);
      k = en & ~amp & ~sleep;
      while (k != 0) {
        const m = <i32>ctz(k);
        k &= k - 1;
        if (!insertSucc(m, sleepAfter(m, sleep, explored), seq, depth + 1)) return false;
        explored |= <u32>1 << m;
      }
    } else ampleN++;
  }
  return true;
}

/** Expand work item i of the current level. */
function item(i: u32): bool {
  const ls = ld32(CTRL + X_LS);
  const n = ld32(CTRL + X_LE) - ls;
  if (storage == STORAGE_FULL) {
    if (i < n) {
      const id = ls + i;
      const r = recAddr(id);
      const w = or32(r + R_WORD, FL_EXPANDED << 16);
      // FL_EXPANDED already set: a frontier state another shard owns (checker/wasm/shard.ts), never expanded here.
      if ((((w >> 16) & 0xff) & (FL_BAD | FL_DEAD | FL_EXPANDED)) != 0) return true;
      return expandState(recState(id), id, <u32>load<u16>(r + R_DEPTH), w & 0xffff, 0);
    }
    const q = arrAt(reopenOff(false), i - n, LIST_SHIFT, 8);
    const id = load<u32>(q);
    const r = recAddr(id);
    return expandState(recState(id), id, <u32>load<u16>(r + R_DEPTH), ld32(r + R_WORD) & 0xffff, load<u32>(q + 4));
  }
  const q = arrAt(queueOff(false), i, Q_SHIFT, 8 + stateBytes);
  return expandState(q + 8, load<u32>(q), ld32(CTRL + X_LEVEL), 0, 0);
}

/** Expand up to `budget` items of the current level. Single-threaded builds grow the table in place; threaded
 *  workers return RUN_GROW so that the host can grow it while nobody inserts. */
/** Work items the last bfsWork call took. */
export let consumed: i32 = 0;

/** The checks a single-instance strategy (dfs, pb) makes before each expansion: Ctrl-C, --max-states, a full
 *  visited table (grown in place). RUN_MORE when none stops it. */
export function sequentialGuard(maxStates: u32): i32 {
  if (stopRequested()) return RUN_STOPPED;
  if (maxStates != 0 && ld32(CTRL + X_COUNT) >= maxStates) return RUN_LIMIT;
  if (needsGrow() && !visitedGrow()) return RUN_OUT_OF_MEMORY;
  return RUN_MORE;
}

export function bfsWork(budget: i32): i32 {
  visitedReload();
  const start = budget;
  const maxStates = ld32(CTRL + X_MAXSTATES);
  let rc = RUN_MORE;
  while (budget > 0) {
    if (stopRequested()) {
      rc = RUN_STOPPED;
      break;
    }
    if (needsGrow()) {
      if (ASC_FEATURE_THREADS) {
        rc = RUN_GROW;
        break;
      }
      if (!visitedGrow()) {
        rc = RUN_OUT_OF_MEMORY;
        break;
      }
    }
    if (maxStates != 0 && ld32(CTRL + X_COUNT) >= maxStates) {
      rc = RUN_LIMIT;
      break;
    }
    const total = ld32(CTRL + X_LE) - ld32(CTRL + X_LS) + ld32(CTRL + X_REOPEN_CUR);
    const lo = add32(CTRL + X_CURSOR, GRAB);
    if (lo >= total) {
      rc = RUN_LEVEL_DONE;
      break;
    }
    const hi = lo + GRAB < total ? lo + GRAB : total;
    let failed = false;
    let limited = false;
    for (let i = lo; i < hi; i++) {
      if (maxStates != 0 && ld32(CTRL + X_COUNT) >= maxStates) {
        limited = true;
        break;
      }
      if (!item(i)) {
        failed = true;
        break;
      }
      if (ld32(CTRL + X_BOUNDERR) != 0) break;
    }
    if (limited) {
      rc = RUN_LIMIT;
      break;
    }
    budget -= <i32>(hi - lo);
    if (failed) {
      rc = RUN_OUT_OF_MEMORY;
      break;
    }
    if (ld32(CTRL + X_BOUNDERR) != 0) {
      rc = RUN_BOUND;
      break;
    }
  }
  // Between calls that return RUN_MORE the worker keeps its block of record ids; on anything else it stops
  // inserting for a while (a barrier, a grow, the end), so the rest of the block becomes dead records.
  if (rc != RUN_MORE && !releaseIds() && rc == RUN_LEVEL_DONE) rc = RUN_OUT_OF_MEMORY;
  flushStats();
  consumed = start - budget;
  return rc;
}
