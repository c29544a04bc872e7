// Preemption-bounded search (Musuvathi & Qadeer, PLDI 2007), iterating the bound 0, 1, 2, ... as one pass: states
// are expanded in order of the fewest preemptions needed to reach them (a 0-1 breadth-first search over buckets),
// so every state reachable with k preemptions is expanded before any that needs k + 1, and the first violation
// found has the fewest preemptions. A preemption is a switch away from a thread that could have continued.
// States are keyed by (kernel state, last thread): whether the next switch is a preemption depends on it. Full
// storage only; reports are made when a bad state is taken from its bucket (its preemption count is final then).

import {
  CTRL, X_CHUNKS_RA, X_CHUNKS_RB, X_COUNT, X_DEPTHCUT, X_MAXSTATES, X_QCUR, X_REOPEN_CUR, X_REOPEN_NEXT, X_LEVEL,
  X_BOUNDERR, ld32, st32, stopRequested,
} from './shared';
import { maxDepth, maxPreemptions, stateBytes } from './config';
import { LIST_SHIFT, arrAt, arrEnsure } from './store';
import {
  FL_BAD, FL_EXPANDED, FL_REPORT, HDR, NONE, OOM, R_DEPTH, R_LAST, R_MOVE, R_PARENT, R_WORD, insertFull, isNew, needsGrow,
  recAddr, visitedGrow, visitedReload,
} from './visited';
import { S_STATE, enabledMask, enabledThreads, fatalSucc, generate, judgeSucc, spareObjs, succ } from './expand';
import { judge, jExpect, jFatal, jMask, reportJudged, terminal } from './judge';
import { hash64, mix64 } from './hash';
import { RUN_DONE, RUN_MORE, RUN_OUT_OF_MEMORY, RUN_LIMIT, RUN_STOPPED, SEED, countTransition, flushStats, noteDepth, sequentialGuard } from './bfs';
import { ample } from './por';

let head: u32 = 0;
let bound: u32 = 0;
/** Some move was not taken because it would exceed --max-preemptions. */
export let boundCut: bool = false;

function listOff(next: bool): usize {
  return (ld32(CTRL + X_QCUR) == 0) != next ? X_CHUNKS_RA : X_CHUNKS_RB;
}
function listLenOff(next: bool): usize {
  return next ? X_REOPEN_NEXT : X_REOPEN_CUR;
}

function pushId(id: u32, next: bool): bool {
  const n = ld32(CTRL + listLenOff(next));
  const p = arrEnsure(listOff(next), n, LIST_SHIFT, 8);
  if (p == 0) return false;
  store<u32>(p, id);
  st32(CTRL + listLenOff(next), n + 1);
  return true;
}

function keyHash(s: usize, last: u32): u64 {
  return hash64(s, stateBytes, SEED) ^ mix64(<u64>last + 1);
}

export function pbStart(init: usize): bool {
  visitedReload();
  head = 0;
  bound = 0;
  boundCut = false;
  st32(CTRL + X_LEVEL, 0);
  st32(CTRL + X_REOPEN_CUR, 0);
  st32(CTRL + X_REOPEN_NEXT, 0);
  const bad = judge(init, spareObjs());
  const id = insertFull(init, keyHash(init, 0xff), NONE, 0xff, 0xff, 0, (jFatal ? FL_BAD << 16 : 0) | (bad ? FL_REPORT << 16 : 0));
  if (id == OOM) return false;
  return pushId(id, false);
}

/** The preemption count the search has reached. */
export function pbBound(): u32 {
  return bound;
}

function expand(id: u32): bool {
  const r = recAddr(id);
  const src = r + HDR;
  const w = load<u32>(r + R_WORD);
  const cost = w >> 24;
  const depth = <u32>load<u16>(r + R_DEPTH);
  if (((w >> 16) & FL_REPORT) != 0) {
    judge(src, spareObjs());
    reportJudged(jMask, spareObjs(), jExpect, id, cost);
  }
  if (((w >> 16) & FL_BAD) != 0) return true;
  generate(src);
  const en = enabledMask;
  if (en == 0) {
    terminal(src, id, cost);
    return true;
  }
  if (depth >= <u32>maxDepth) {
    st32(CTRL + X_DEPTHCUT, 1);
    return true;
  }
  if (ample(src) == 0xffffffff) return true; // bound check only (no reduction here)
  const last = <u32>load<u8>(r + R_LAST);
  const lastCanGo = last != 0xff && (enabledThreads & (<u32>1 << last)) != 0;
  let k = en;
  while (k != 0) {
    const m = <i32>ctz(k);
    k &= k - 1;
    const t = <u32>(m >> 1);
    const pre: u32 = lastCanGo && t != last ? 1 : 0;
    const ncost = cost + pre;
    if (ncost > <u32>maxPreemptions) {
      boundCut = true;
      continue;
    }
    const st = succ(m) + S_STATE;
    countTransition();
    const id2 = insertFull(st, keyHash(st, t), id, <u32>m, t, depth + 1, ncost << 24);
    if (id2 == OOM) return false;
    if (isNew) {
      noteDepth(depth + 1);
      if (judgeSucc(m)) {
        const flags = (fatalSucc(m) ? FL_BAD : 0) | FL_REPORT;
        store<u32>(recAddr(id2) + R_WORD, load<u32>(recAddr(id2) + R_WORD) | (flags << 16));
      }
      if (!pushId(id2, pre != 0)) return false;
    } else {
      const r2 = recAddr(id2);
      const w2 = load<u32>(r2 + R_WORD);
      if (ncost < (w2 >> 24) && ((w2 >> 16) & FL_EXPANDED) == 0) {
        // Reached with fewer preemptions: it moves to this bucket, with this path.
        store<u32>(r2 + R_WORD, (ncost << 24) | (w2 & 0x00ffffff));
        store<u32>(r2 + R_PARENT, id);
        store<u8>(r2 + R_MOVE, <u8>m);
        store<u16>(r2 + R_DEPTH, <u16>(depth + 1));
        if (!pushId(id2, false)) return false;
      }
    }
  }
  return true;
}

export function pbRun(budget: i32): i32 {
  visitedReload();
  const maxStates = ld32(CTRL + X_MAXSTATES);
  let rc = RUN_MORE;
  while (budget-- > 0) {
    rc = sequentialGuard(maxStates);
    if (rc != RUN_MORE) break;
    if (head >= ld32(CTRL + X_REOPEN_CUR)) {
      if (ld32(CTRL + X_REOPEN_NEXT) == 0) {
        rc = RUN_DONE;
        break;
      }
      st32(CTRL + X_QCUR, ld32(CTRL + X_QCUR) ^ 1);
      st32(CTRL + X_REOPEN_CUR, ld32(CTRL + X_REOPEN_NEXT));
      st32(CTRL + X_REOPEN_NEXT, 0);
      head = 0;
      bound++;
      st32(CTRL + X_LEVEL, bound);
      continue;
    }
    const id = load<u32>(arrAt(listOff(false), head, LIST_SHIFT, 8));
    head++;
    const r = recAddr(id);
    const w = load<u32>(r + R_WORD);
    if ((w >> 24) != bound || ((w >> 16) & FL_EXPANDED) != 0) continue; // moved to an earlier bucket
    store<u32>(r + R_WORD, w | (FL_EXPANDED << 16));
    if (!expand(id)) {
      rc = RUN_OUT_OF_MEMORY;
      break;
    }
    if (ld32(CTRL + X_BOUNDERR) != 0) break;
  }
  flushStats();
  return rc;
}

export function pbQueued(): u32 {
  return ld32(CTRL + X_REOPEN_CUR) - head + ld32(CTRL + X_REOPEN_NEXT);
}
