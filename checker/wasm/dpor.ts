// Dynamic partial-order reduction for depth-first search: source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Optimal
// dynamic partial order reduction", POPL 2014, Algorithm 1) with sleep sets, over the steps' footprints
// (dpor_dep.ts). Each stack frame holds a state, its backtrack set (threads), its sleep set (moves; explored moves
// join it) and, for the move being explored from it, the event's vector clock over stack positions. When a new
// event e' is appended, every event e of the stack in an immediate race with it (dependent, other thread, no event
// in between ordered after e and before e') gets its backtrack set checked: if no initial of notdep(e).e' is in it
// already, one initial is added (a thread enabled there; if none is, every enabled thread: blocking steps).
//
// Moves are threads x fault choice: an allocation that may fail gives a thread two events. That choice is the
// thread's own nondeterminism, not scheduling: a thread in a backtrack set explores both of its moves.
//
// What the algorithm alone does not cover, and the conservative treatment here (docs/search.md "DPOR"):
// - A thread blocked on a lock has no enabled event, so a race between the holder's acquisition and the waiter's
//   acquisition is never immediate; the waiter's footprint bound (below) covers the lock it waits on (acquire()
//   in model/locks.ts records the lock's object before it finds the lock taken).
// - Steps' footprints alone are not enough here: a step can change what another thread's later step does through
//   state no footprint names (a lockless fget's saved pointer makes __fput's free of that file RCU-deferred,
//   model/memory.ts readersOf), and source-DPOR over the footprints alone missed a terminal state of
//   scenarios/history/fget-recheck (a false pass). So at every state reached, each thread's footprint bound there
//   (model/search_bounds.ts: all it may still touch on any path) is raced against every event of the stack as
//   above, every stack event and not only the last (summary()): Flanagan & Godefroid's rule with the thread's
//   whole future as its next step. This is conservative and costs reduction; docs/search.md has the figures.
// - Cuts: a state not expanded (visited before in stateful mode, on the stack in a cycle, fatally broken, at the
//   depth bound) hides the events after it; the same summary of the bounds there stands for them.
// - A state with a bad successor is expanded fully (as por.ts does for ample sets), so that the set of violated
//   properties, not only the verdict, matches the unreduced search.
// Symmetry reduction is off with DPOR (frames must keep thread identities).

import { CTRL, X_CHUNKS_QA, X_COUNT, X_DEPTHCUT, X_MAXSTATES, X_BOUNDERR, add32, ld32, st32 } from './shared';
import { dpor, maxDepth, nThreadsCfg, stateBytes } from './config';
import { Q_SHIFT, arrAt, arrEnsure } from './store';
import { FL_BAD, FL_ONSTACK, NONE, OOM, R_WORD, insertFull, isNew, recAddr, recState, visitedReload } from './visited';
import { S_READS, S_STATE, S_WRITES, enabledMask, fatalSucc, generate, judgeNewSucc, judgeSucc, reportSucc, stepOne, succ } from './expand';
import { ample } from './por';
import { terminal } from './judge';
import * as J from './judge';
import { hash64 } from './hash';
import { RUN_BOUND, RUN_DONE, RUN_FOUND, RUN_MORE, RUN_OUT_OF_MEMORY, SEED, countTransition, flushStats, noteDepth, sequentialGuard } from './bfs';
import { dependent, dependentWithBound, dporBounds } from './dpor_dep';

export const DPOR_STATELESS: i32 = 1;
export const DPOR_STATEFUL: i32 = 2;

// Frame: header then the state.
const F_ID: usize = 0; // record id (stateful) or NONE
const F_EN: usize = 4; // enabled moves
const F_SLEEP: usize = 8; // sleeping or explored moves
const F_BT: usize = 12; // backtrack set: threads
const F_HASH: usize = 16; // u64
const F_MOVE: usize = 24; // u8: the move that led here
const F_CUR: usize = 25; // u8: the move being explored from here (the event at this stack position)
const F_VC: usize = 32; // u16[8]: that event's vector clock (per thread: last position + 1 ordered before it)
const F_FP: usize = 48; // [16] reads u64, writes u64 of each enabled move
const FH: usize = 48 + 16 * 16;

let sp: u32 = 0;
let frameSize: usize = 0;
/** Maximal paths explored: ends at a terminal state, a sleep-blocked state or a cut. */
let traces: u64 = 0;
let races: u64 = 0;
let cuts: u64 = 0;

// @ts-ignore: decorator
@inline function frame(i: u32): usize {
  return arrAt(X_CHUNKS_QA, i, Q_SHIFT, frameSize);
}
// @ts-ignore: decorator
@inline function curOf(i: u32): i32 {
  return <i32>load<u8>(frame(i) + F_CUR);
}
// @ts-ignore: decorator
@inline function rOf(f: usize, m: i32): u64 {
  return load<u64>(f + F_FP + <usize>(m * 16));
}
// @ts-ignore: decorator
@inline function wOf(f: usize, m: i32): u64 {
  return load<u64>(f + F_FP + <usize>(m * 16) + 8);
}
// @ts-ignore: decorator
@inline function vcAt(i: u32, t: i32): u32 {
  return <u32>load<u16>(frame(i) + F_VC + <usize>(t * 2));
}

function threadsOfMoves(mv: u32): u32 {
  let th: u32 = 0;
  for (let t = 0; t < 8; t++) if (((mv >> <u32>(t * 2)) & 3) != 0) th |= <u32>1 << t;
  return th;
}
function movesOfThreads(th: u32): u32 {
  let m: u32 = 0;
  for (let t = 0; t < 8; t++) if ((th & (<u32>1 << t)) != 0) m |= <u32>3 << <u32>(t * 2);
  return m;
}

export function dporDepth(): u32 {
  return sp;
}
export function dporMove(i: u32): u32 {
  return load<u8>(frame(i) + F_MOVE);
}
let pendingMove: u32 = 0xff;
export function dporPendingMove(): u32 {
  return pendingMove;
}
export function dporTraces(): u64 {
  return traces;
}
export function dporRaces(): u64 {
  return races;
}
export function dporCuts(): u64 {
  return cuts;
}

/** Add thread q to the backtrack set of frame j if q is enabled there, else every thread enabled there. */
function backtrackAt(j: u32, q: i32): void {
  const f = frame(j);
  const enTh = threadsOfMoves(load<u32>(f + F_EN));
  const add = (enTh & (<u32>1 << q)) != 0 ? <u32>1 << q : enTh;
  store<u32>(f + F_BT, load<u32>(f + F_BT) | add);
}

// Vector clock of the event being appended (positions + 1), built by analyse().
const vc = new StaticArray<u32>(8);

/** The event from frame n-1 (its move is F_CUR) was just executed: compute its vector clock, and for each
 *  immediate race e_j < e' make sure an initial of notdep(e_j).e' is in frame j's backtrack set. */
function analyse(): void {
  const n = sp; // the new event sits at position n-1
  const fe = frame(n - 1);
  const me = curOf(n - 1);
  const p = me >> 1;
  const re = rOf(fe, me);
  const we = wOf(fe, me);
  for (let t = 0; t < 8; t++) unchecked((vc[t] = 0));
  for (let j: i32 = <i32>n - 2; j >= 0; j--) {
    const fj = frame(<u32>j);
    const mj = curOf(<u32>j);
    const pj = mj >> 1;
    if (unchecked(vc[pj]) >= <u32>j + 1) continue; // already ordered before e' through a later event
    if (pj != p) {
      if (!dependent(rOf(fj, mj), wOf(fj, mj), re, we)) continue;
      race(<u32>j, pj, p, n);
    }
    for (let t = 0; t < 8; t++) {
      const c = vcAt(<u32>j, t);
      if (c > unchecked(vc[t])) unchecked((vc[t] = c));
    }
  }
  unchecked((vc[p] = n));
  for (let t = 0; t < 8; t++) store<u16>(fe + F_VC + <usize>(t * 2), <u16>unchecked(vc[t]));
}

/** Race between e_j (thread pj) and the new event e' (thread p, position n-1). vc holds e''s clock restricted to
 *  positions after j, which is all the initials test needs. */
function race(j: u32, pj: i32, p: i32, n: u32): void {
  races++;
  // v = the events after e_j not ordered after it, then e'. Its initials: events of v with no earlier v-event
  // ordered before them.
  let initials: u32 = 0;
  let eInitial = true;
  for (let k = j + 1; k < n - 1; k++) {
    if (vcAt(k, pj) >= j + 1) continue; // ordered after e_j: not in v
    const pk = curOf(k) >> 1;
    if (unchecked(vc[pk]) >= k + 1) eInitial = false;
    let initial = true;
    for (let k2 = j + 1; k2 < k && initial; k2++) {
      if (vcAt(k2, pj) >= j + 1) continue;
      if (vcAt(k, curOf(k2) >> 1) >= k2 + 1) initial = false;
    }
    if (initial) initials |= <u32>1 << pk;
  }
  if (eInitial) initials |= <u32>1 << p;
  const f = frame(j);
  if ((initials & load<u32>(f + F_BT)) != 0) return;
  const enTh = threadsOfMoves(load<u32>(f + F_EN));
  const cand = initials & enTh;
  let add: u32;
  if (cand == 0) add = enTh; // blocking: the race cannot be reversed by one thread; be conservative
  else if ((cand & (<u32>1 << p)) != 0) add = <u32>1 << p;
  else add = cand & (~cand + 1);
  store<u32>(f + F_BT, load<u32>(f + F_BT) | add);
}

/** A state whose successors are not explored here (see summary). */
function cut(s: usize): void {
  cuts++;
  traces++;
  summary(s);
}

/** Race every thread's footprint bound at state s against every event of the stack. */
function summary(s: usize): void {
  dporBounds(s);
  for (let j: u32 = 0; j < sp; j++) {
    const fj = frame(j);
    const mj = curOf(j);
    const pj = mj >> 1;
    const r = rOf(fj, mj);
    const w = wOf(fj, mj);
    for (let q = 0; q < nThreadsCfg; q++) {
      if (q != pj && dependentWithBound(q, r, w)) backtrackAt(j, q);
    }
  }
}

function onStackStateless(s: usize, h: u64): bool {
  for (let i: u32 = 0; i < sp; i++) {
    const f = frame(i);
    if (load<u64>(f + F_HASH) == h && memory.compare(f + FH, s, stateBytes) == 0) return true;
  }
  return false;
}

/** Push state s (hash h, record id or NONE) reached by move mv with sleep set `sleep`; `only` != 0 (stateful
 *  re-expansion of a state reached with fewer sleeping moves) restricts it to those moves. Returns false when out
 *  of memory. */
function push(s: usize, h: u64, id: u32, mv: u32, sleep: u32, only: u32): bool {
  const f = arrEnsure(X_CHUNKS_QA, sp, Q_SHIFT, frameSize);
  if (f == 0) return false;
  memory.copy(f + FH, s, stateBytes);
  s = f + FH;
  generate(s);
  const en = enabledMask;
  if (ample(s) == 0xffffffff) return true; // a step outside its bound: the search stops (RUN_BOUND)
  if (sp > 0) summary(s);
  if (en == 0) {
    terminal(s, id, 0);
    traces++;
    return true;
  }
  if (sp >= <u32>maxDepth) {
    st32(CTRL + X_DEPTHCUT, 1);
    cut(s);
    return true;
  }
  let sl = sleep & en;
  let bt: u32 = 0;
  if (only != 0) {
    sl = en & ~only;
    bt = threadsOfMoves(only & en);
  } else {
    let bad = false;
    let k = en;
    while (k != 0 && !bad) {
      const x = <i32>ctz(k);
      k &= k - 1;
      if (judgeSucc(x)) bad = true;
    }
    const awake = en & ~sl;
    if (awake == 0) {
      traces++; // sleep-blocked: every continuation is explored elsewhere
      return true;
    }
    bt = bad ? threadsOfMoves(en) : <u32>1 << (ctz(awake) >> 1);
  }
  store<u32>(f + F_ID, id);
  store<u32>(f + F_EN, en);
  store<u32>(f + F_SLEEP, sl);
  store<u32>(f + F_BT, bt);
  store<u64>(f + F_HASH, h);
  store<u8>(f + F_MOVE, <u8>mv);
  store<u8>(f + F_CUR, 0xff);
  for (let m = 0; m < 16; m++) {
    const e = succ(m);
    store<u64>(f + F_FP + <usize>(m * 16), load<u64>(e + S_READS));
    store<u64>(f + F_FP + <usize>(m * 16) + 8, load<u64>(e + S_WRITES));
  }
  if (id != NONE) store<u32>(recAddr(id) + R_WORD, load<u32>(recAddr(id) + R_WORD) | (FL_ONSTACK << 16));
  sp++;
  return true;
}

function pop(): void {
  sp--;
  const id = load<u32>(frame(sp) + F_ID);
  if (id != NONE) store<u32>(recAddr(id) + R_WORD, load<u32>(recAddr(id) + R_WORD) & ~(FL_ONSTACK << 16));
}

export function dporStart(init: usize): bool {
  frameSize = FH + stateBytes;
  sp = 0;
  traces = 0;
  races = 0;
  cuts = 0;
  visitedReload();
  J.reported = false;
  const h = hash64(init, stateBytes, SEED);
  let id = NONE;
  if (dpor == DPOR_STATEFUL) {
    id = insertFull(init, h, NONE, 0xff, 0xff, 0, 0);
    if (id == OOM) return false;
  } else add32(CTRL + X_COUNT, 1);
  return push(init, h, id, 0xff, 0, 0);
}

/** Run up to `budget` moves. RUN_FOUND: a report was added; its path is the stack plus dporPendingMove(). */
export function dporRun(budget: i32): i32 {
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
    const en = load<u32>(f + F_EN);
    const sleep = load<u32>(f + F_SLEEP);
    const todo = en & movesOfThreads(load<u32>(f + F_BT)) & ~sleep;
    if (todo == 0) {
      pop();
      continue;
    }
    const m = <i32>ctz(todo);
    // Successor sleep set: sleeping or explored moves of other threads that commute with m.
    let cand = sleep & ~(<u32>3 << <u32>((m >> 1) * 2));
    let sl: u32 = 0;
    const rm = rOf(f, m);
    const wm = wOf(f, m);
    while (cand != 0) {
      const x = <i32>ctz(cand);
      cand &= cand - 1;
      if (!dependent(rOf(f, x), wOf(f, x), rm, wm)) sl |= <u32>1 << x;
    }
    store<u32>(f + F_SLEEP, sleep | (<u32>1 << m));
    store<u8>(f + F_CUR, <u8>m);
    stepOne(f + FH, m);
    const spBefore = sp;
    const st = succ(m) + S_STATE;
    const h = hash64(st, stateBytes, SEED);
    countTransition();
    J.reported = false;
    // The new event's races (the stack now ends with it, at position sp - 1).
    analyse();
    if (dpor == DPOR_STATEFUL) {
      const id = insertFull(st, h, load<u32>(f + F_ID), <u32>m, 0xff, sp, sl);
      if (id == OOM) {
        rc = RUN_OUT_OF_MEMORY;
        break;
      }
      if (isNew) {
        noteDepth(sp);
        if (judgeNewSucc(m, id)) cut(st);
        else if (!push(st, h, id, <u32>m, sl, 0)) {
          rc = RUN_OUT_OF_MEMORY;
          break;
        }
      } else {
        cut(st);
        const r = recAddr(id);
        const w = load<u32>(r + R_WORD);
        const old = w & 0xffff;
        const wake = old & ~sl;
        if (wake != 0 && ((w >> 16) & FL_BAD) == 0) {
          store<u32>(r + R_WORD, (w & 0xffff0000) | (old & sl));
          if (((w >> 16) & FL_ONSTACK) != 0) {
            for (let i: u32 = 0; i < sp; i++) {
              const g = frame(i);
              if (load<u32>(g + F_ID) != id) continue;
              const wk = wake & load<u32>(g + F_EN);
              store<u32>(g + F_SLEEP, load<u32>(g + F_SLEEP) & ~wk);
              store<u32>(g + F_BT, load<u32>(g + F_BT) | threadsOfMoves(wk));
            }
          } else if (!push(recState(id), h, id, <u32>m, old & sl, wake)) {
            rc = RUN_OUT_OF_MEMORY;
            break;
          }
        }
      }
    } else {
      add32(CTRL + X_COUNT, 1); // stateless: states reached, with repetitions
      noteDepth(sp);
      if (judgeNewSucc(m, NONE)) cut(st);
      else if (onStackStateless(st, h)) cut(st);
      else if (!push(st, h, NONE, <u32>m, sl, 0)) {
        rc = RUN_OUT_OF_MEMORY;
        break;
      }
    }
    if (ld32(CTRL + X_BOUNDERR) != 0) {
      rc = RUN_BOUND;
      break;
    }
    if (J.reported) {
      pendingMove = sp > spBefore ? 0xff : <u32>m;
      rc = RUN_FOUND;
      break;
    }
  }
  flushStats();
  return rc;
}
