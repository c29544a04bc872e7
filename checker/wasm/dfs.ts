// Depth-first search with an explicit stack (one worker). Memory is the visited set plus the stack; the
// counterexample is the stack itself (not the shortest). With partial-order reduction the cycle proviso is the
// classic stack proviso (Holzmann & Peled 1994): if an ample move leads to a state on the stack, the state is
// expanded fully. With sleep sets (full storage) a state reached again with fewer sleeping moves is re-expanded
// for the moves that are now awake (Godefroid 1996).

import {
  CTRL, X_CHUNKS_QA, X_COUNT, X_DEPTHCUT, X_MAXSTATES, X_AMPLE, X_FULLEXP, X_SLEPT, X_BOUNDERR, add32, add64, ld32,
  st32, stopRequested,
} from './shared';
import { STORAGE_FULL, dpor, maxDepth, sleepSets, stateBytes, storage } from './config';
import { dporDepth, dporMove, dporPendingMove, dporRun, dporStart } from './dpor';
import { Q_SHIFT, arrAt, arrEnsure } from './store';
import {
  FL_BAD, FL_ONSTACK, NONE, recState, OOM, R_WORD, findFull, insertFull, insertHash, isNew, needsGrow, recAddr, visitedGrow,
  visitedReload, containsFp,
} from './visited';
import {
  S_READS, S_STATE, S_WRITES, canonicalSucc, enabledMask, fatalSucc, generate, judgeNewSucc, judgeSucc, reportSucc, stepOne, succ,
} from './expand';
import { ample } from './por';
import { terminal } from './judge';
import * as J from './judge';
import { hash64 } from './hash';
import {
  RUN_BOUND, RUN_DONE, RUN_FOUND, RUN_LIMIT, RUN_MORE, RUN_OUT_OF_MEMORY, RUN_STOPPED, SEED, countTransition,
  flushStats, noteDepth, sequentialGuard,
} from './bfs';
import { STORAGE_BITSTATE } from './config';

// Frame: header then the state.
const F_ID: usize = 0; // record id (full storage) or NONE
const F_TODO: usize = 4; // moves still to explore
const F_SLEEP: usize = 8; // sleep set (grows as moves are explored)
const F_ENABLED: usize = 12;
const F_HASH: usize = 16; // u64 (stack proviso without records)
const F_MOVE: usize = 24; // u8: the move that led here
const F_FP: usize = 32; // [16] reads u64, writes u64 of each enabled move
const FH: usize = 32 + 16 * 16;

let sp: u32 = 0;
let frameSize: usize = 0;

// @ts-ignore: decorator
@inline function frame(i: u32): usize {
  return arrAt(X_CHUNKS_QA, i, Q_SHIFT, frameSize);
}

/** The path to the top of the stack, plus `last` (for reports): moves of frames 1..sp-1. */
export function dfsDepth(): u32 {
  if (dpor != 0) return dporDepth();
  return sp;
}
export function dfsMove(i: u32): u32 {
  if (dpor != 0) return dporMove(i);
  return load<u8>(frame(i) + F_MOVE);
}

let pendingMove: u32 = 0xff;
/** The move that produced the state just reported (after the stack's moves), 0xFF if none. */
export function dfsPendingMove(): u32 {
  if (dpor != 0) return dporPendingMove();
  return pendingMove;
}

function onStack(s: usize, h: u64): bool {
  if (storage == STORAGE_FULL) {
    const id = findFull(s, h);
    return id != NONE && ((ld32(recAddr(id) + R_WORD) >> 16) & FL_ONSTACK) != 0;
  }
  if (storage != STORAGE_BITSTATE && !containsFp(h)) return false;
  for (let i: u32 = 0; i < sp; i++) if (load<u64>(frame(i) + F_HASH) == h) return true;
  return false;
}

/** Push state s (hash h, record id or NONE) reached by move `mv` with sleep set `sleep`; `only` != 0 restricts
 *  the moves to explore (re-expansion). Returns false when out of memory; terminal states are reported, not
 *  pushed; states at the depth limit are not pushed. */
function push(s: usize, h: u64, id: u32, mv: u32, sleep: u32, only: u32): bool {
  // Copy the state into its frame first: generate() overwrites the successor buffer s may point into.
  const f = arrEnsure(X_CHUNKS_QA, sp, Q_SHIFT, frameSize);
  if (f == 0) return false;
  memory.copy(f + FH, s, stateBytes);
  s = f + FH;
  generate(s);
  const en = enabledMask;
  if (en == 0) {
    terminal(s, id, 0);
    return true;
  }
  if (sp >= <u32>maxDepth) {
    st32(CTRL + X_DEPTHCUT, 1);
    return true;
  }
  let todo: u32;
  if (only != 0) todo = only & en;
  else {
    const amp = ample(s);
    if (amp == 0xffffffff) return true;
    todo = amp & ~sleep;
    add64(CTRL + X_SLEPT, popcnt(amp & sleep));
    if (amp != en) {
      // Footprints first: the proviso check below canonicalises successors in place.
      saveFootprints(f);
      let cycle = false;
      let k = amp;
      while (k != 0 && !cycle) {
        const m = <i32>ctz(k);
        k &= k - 1;
        canonicalSucc(m, 0);
        const st = succ(m) + S_STATE;
        if (onStack(st, hash64(st, stateBytes, SEED))) cycle = true;
      }
      if (cycle) {
        todo = en & ~sleep;
        add32(CTRL + X_FULLEXP, 1);
      } else add64(CTRL + X_AMPLE, 1);
    }
  }
  store<u32>(f + F_ID, id);
  store<u32>(f + F_TODO, todo);
  store<u32>(f + F_SLEEP, sleep);
  store<u32>(f + F_ENABLED, en);
  store<u64>(f + F_HASH, h);
  store<u8>(f + F_MOVE, <u8>mv);
  saveFootprints(f);
  if (id != NONE) store<u32>(recAddr(id) + R_WORD, load<u32>(recAddr(id) + R_WORD) | (FL_ONSTACK << 16));
  sp++;
  return true;
}

function saveFootprints(f: usize): void {
  for (let m = 0; m < 16; m++) {
    const e = succ(m);
    store<u64>(f + F_FP + <usize>(m * 16), load<u64>(e + S_READS));
    store<u64>(f + F_FP + <usize>(m * 16) + 8, load<u64>(e + S_WRITES));
  }
}

function pop(): void {
  sp--;
  const id = load<u32>(frame(sp) + F_ID);
  if (id != NONE) store<u32>(recAddr(id) + R_WORD, load<u32>(recAddr(id) + R_WORD) & ~(FL_ONSTACK << 16));
}

function indepIn(f: usize, a: i32, b: i32): bool {
  if ((a >> 1) == (b >> 1)) return false;
  const ra = load<u64>(f + F_FP + <usize>(a * 16));
  const wa = load<u64>(f + F_FP + <usize>(a * 16) + 8);
  const rb = load<u64>(f + F_FP + <usize>(b * 16));
  const wb = load<u64>(f + F_FP + <usize>(b * 16) + 8);
  return (wa & (rb | wb)) == 0 && (wb & ra) == 0;
}

export function dfsStart(init: usize): bool {
  if (dpor != 0) return dporStart(init);
  frameSize = FH + stateBytes;
  sp = 0;
  visitedReload();
  J.reported = false;
  const h = hash64(init, stateBytes, SEED);
  let id = NONE;
  if (storage == STORAGE_FULL) {
    id = insertFull(init, h, NONE, 0xff, 0xff, 0, 0);
    if (id == OOM) return false;
  } else {
    insertHash(h);
    add32(CTRL + X_COUNT, 1);
  }
  return push(init, h, id, 0xff, 0, 0);
}

/** Run up to `budget` moves. RUN_FOUND: a report was added; its path is the stack plus dfsPendingMove(). */
export function dfsRun(budget: i32): i32 {
  if (dpor != 0) return dporRun(budget);
  visitedReload();
  J.reported = false;
  pendingMove = 0xff;
  const maxStates = ld32(CTRL + X_MAXSTATES);
  let rc = RUN_MORE;
  while (budget-- > 0) {
    if (sp == 0) {
      rc = RUN_DONE;
      break;
    }
    rc = sequentialGuard(maxStates);
    if (rc != RUN_MORE) break;
    const f = frame(sp - 1);
    const todo = load<u32>(f + F_TODO);
    if (todo == 0) {
      pop();
      continue;
    }
    const m = <i32>ctz(todo);
    store<u32>(f + F_TODO, todo & (todo - 1));
    const sleep = load<u32>(f + F_SLEEP);
    // Successor sleep set: asleep or explored moves that commute with m.
    let cand = sleep & load<u32>(f + F_ENABLED) & ~(<u32>3 << <u32>((m >> 1) * 2));
    let sl: u32 = 0;
    while (cand != 0) {
      const x = <i32>ctz(cand);
      cand &= cand - 1;
      if (indepIn(f, x, m)) sl |= <u32>1 << x;
    }
    store<u32>(f + F_SLEEP, sleep | (sleepSets ? <u32>1 << m : 0));
    // Recompute the successor (the frame keeps only footprints).
    stepOne(f + FH, m);
    const spBefore = sp;
    const e = succ(m);
    const st = e + S_STATE;
    const sl2 = canonicalSucc(m, sleepSets ? sl : 0);
    const h = hash64(st, stateBytes, SEED);
    countTransition();
    J.reported = false;
    if (storage == STORAGE_FULL) {
      const id = insertFull(st, h, load<u32>(f + F_ID), <u32>m, 0xff, sp, sl2);
      if (id == OOM) {
        rc = RUN_OUT_OF_MEMORY;
        break;
      }
      if (isNew) {
        noteDepth(sp);
        if (!judgeNewSucc(m, id) && !push(st, h, id, <u32>m, sl2, 0)) {
          rc = RUN_OUT_OF_MEMORY;
          break;
        }
      } else if (sleepSets) {
        const r = recAddr(id);
        const w = load<u32>(r + R_WORD);
        const old = w & 0xffff;
        const wake = old & ~sl2;
        if (wake != 0 && ((w >> 16) & FL_BAD) == 0) {
          store<u32>(r + R_WORD, (w & 0xffff0000) | (old & sl2));
          if (((w >> 16) & FL_ONSTACK) != 0) {
            for (let i: u32 = 0; i < sp; i++) {
              const g = frame(i);
              if (load<u32>(g + F_ID) == id) store<u32>(g + F_TODO, load<u32>(g + F_TODO) | (wake & load<u32>(g + F_ENABLED)));
            }
          } else if (!push(recState(id), h, id, <u32>m, old & sl2, wake)) {
            rc = RUN_OUT_OF_MEMORY;
            break;
          }
        }
      }
    } else {
      if (insertHash(h)) {
        add32(CTRL + X_COUNT, 1);
        noteDepth(sp);
        if (!judgeNewSucc(m, NONE) && !push(st, h, NONE, <u32>m, 0, 0)) {
          rc = RUN_OUT_OF_MEMORY;
          break;
        }
      }
    }
    if (ld32(CTRL + X_BOUNDERR) != 0) {
      rc = RUN_BOUND;
      break;
    }
    if (J.reported) {
      // The path is the stack; the new state is on it if it was pushed, else it is one move further.
      pendingMove = sp > spBefore ? 0xff : <u32>m;
      rc = RUN_FOUND;
      break;
    }
  }
  flushStats();
  return rc;
}
