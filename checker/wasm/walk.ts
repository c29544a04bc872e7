// Seeded random walks (simulation). Each walk starts at the initial state and picks uniformly among the enabled
// moves (faults included while the budget lasts) until a terminal state, a violation or the depth bound. A walk is
// fully determined by its seed, so any counterexample is reproducible with `--seed S --walks 1`. Distinct states
// are counted in a fingerprint or bitstate set (never pruned: walks pass through visited states). No reduction.

import { CTRL, X_COUNT, add32, alloc } from './shared';
import { STORAGE_FULL, stateBytes, storage } from './config';
import { S_STATE, enabledMask, fatalSucc, generate, judgeSucc, reportSucc, spareObjs, succ } from './expand';
import { judge, jExpect, jFatal, jMask, reportJudged, terminal } from './judge';
import * as J from './judge';
import { hash64, mix64 } from './hash';
import { buildInitial, insertHash, needsGrow, visitedGrow } from './visited';
import { SEED, countTransition, flushStats, noteDepth } from './bfs';

export const WALK_END = 0;
export const WALK_FOUND = 1;
/** The fingerprint set could not grow (--max-memory or the 4 GiB limit): the walk stopped. */
export const WALK_OOM = 2;

let cur: usize = 0;
let path: usize = 0;
let pathCap: u32 = 0;
let len: u32 = 0;
let rng: u64 = 0;

export function walkBuffers(maxDepth: u32): bool {
  cur = alloc(stateBytes);
  path = alloc(<usize>maxDepth + 16);
  pathCap = maxDepth;
  return cur != 0 && path != 0;
}

function next(): u64 {
  rng += 0x9e3779b97f4a7c15;
  return mix64(rng);
}

/** Count s as seen; false when the set was full and could not grow. The set grows like the other strategies'
 *  (an open-addressing table that never grew would probe forever once every slot is taken). */
function count(s: usize): bool {
  if (storage == STORAGE_FULL) return true;
  if (needsGrow() && !visitedGrow()) return false;
  if (insertHash(hash64(s, stateBytes, SEED))) add32(CTRL + X_COUNT, 1);
  return true;
}

/** Run one walk of at most `depth` moves from the initial state with the given 64-bit seed. */
export function walkRun(seed: u64, depth: u32): i32 {
  rng = mix64(seed);
  len = 0;
  J.reported = false;
  if (!buildInitial(cur)) return WALK_END;
  if (judge(cur, spareObjs())) {
    J.reported = false;
    reportJudged(jMask, spareObjs(), jExpect, 0, 0);
    if (jFatal || J.reported) {
      flushStats();
      return J.reported ? WALK_FOUND : WALK_END;
    }
  }
  if (!count(cur)) {
    flushStats();
    return WALK_OOM;
  }
  let rc = WALK_END;
  while (true) {
    generate(cur);
    const en = enabledMask;
    if (en == 0) {
      J.reported = false;
      terminal(cur, 0, 0);
      if (J.reported) rc = WALK_FOUND;
      break;
    }
    if (len >= depth || len >= pathCap) break;
    let pick = <u32>(next() % <u64>popcnt(en));
    let k = en;
    while (pick-- > 0) k &= k - 1;
    const m = <i32>ctz(k);
    const bad = judgeSucc(m);
    const fatal = bad && fatalSucc(m);
    const e = succ(m);
    memory.copy(cur, e + S_STATE, stateBytes);
    store<u8>(path + <usize>len, <u8>m);
    len++;
    countTransition();
    noteDepth(len);
    if (bad) {
      J.reported = false;
      reportSucc(m, 0, 0);
      if (J.reported || fatal) {
        rc = J.reported ? WALK_FOUND : WALK_END;
        break;
      }
    }
    if (!count(cur)) {
      rc = WALK_OOM;
      break;
    }
  }
  flushStats();
  return rc;
}

export function walkLength(): u32 {
  return len;
}
export function walkMove(i: u32): u32 {
  return load<u8>(path + <usize>i);
}
