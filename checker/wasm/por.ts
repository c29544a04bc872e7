// Partial-order reduction: the ample set of a state (Peled's conditions; persistent sets in Godefroid's terms).
// The moves of one thread p form an ample set when
//   C1  every future step of every other thread q (its footprint bound, model/search_bounds.ts) commutes with p's
//       next step: p's writes do not meet what q may touch, and p's reads do not meet what q may write;
//   C2  properties: expectations read virtual objects that every writer also writes (model/search_props.ts), so
//       C1 already keeps them ordered; the kernel's invariants are split-safe (docs/search.md); and no ample
//       successor may itself be bad (otherwise the state is expanded fully, so that the set of violated
//       properties, not only the verdict, is preserved);
//   C3  the cycle proviso is checked by the strategy after inserting the ample successors (bfs.ts, dfs.ts).
// The bounds are also checked here: a step outside its thread's bound stops the search with an internal error.

import { kBoundT, kBoundW, kInvariantVirtualBound, kThreadBound, kVirtualWrites } from '../../model/index';
import { CTRL, X_BOUNDERR, X_BOUNDW, X_STEPW, cas32, st64 } from './shared';
import { checkBounds, nThreadsCfg, por, transactions } from './config';
import { S_LABEL, S_RAWR, S_RAWW, S_READS, S_WRITES, enabledMask, enabledThreads, judgeSucc, succ } from './expand';

// Bounds of the current state, per thread (globals: no memory of their own).
let bW0: u64 = 0; let bW1: u64 = 0; let bW2: u64 = 0; let bW3: u64 = 0;
let bW4: u64 = 0; let bW5: u64 = 0; let bW6: u64 = 0; let bW7: u64 = 0;
let bT0: u64 = 0; let bT1: u64 = 0; let bT2: u64 = 0; let bT3: u64 = 0;
let bT4: u64 = 0; let bT5: u64 = 0; let bT6: u64 = 0; let bT7: u64 = 0;

function setB(q: i32, w: u64, t: u64): void {
  switch (q) {
    case 0: bW0 = w; bT0 = t; break;
    case 1: bW1 = w; bT1 = t; break;
    case 2: bW2 = w; bT2 = t; break;
    case 3: bW3 = w; bT3 = t; break;
    case 4: bW4 = w; bT4 = t; break;
    case 5: bW5 = w; bT5 = t; break;
    case 6: bW6 = w; bT6 = t; break;
    default: bW7 = w; bT7 = t;
  }
}
function getW(q: i32): u64 {
  switch (q) {
    case 0: return bW0; case 1: return bW1; case 2: return bW2; case 3: return bW3;
    case 4: return bW4; case 5: return bW5; case 6: return bW6; default: return bW7;
  }
}
function getT(q: i32): u64 {
  switch (q) {
    case 0: return bT0; case 1: return bT1; case 2: return bT2; case 3: return bT3;
    case 4: return bT4; case 5: return bT5; case 6: return bT6; default: return bT7;
  }
}

/** Compute every thread's bound at state src (also used by the transaction reduction, transaction.ts). */
export function computeBounds(src: usize): void {
  for (let q = 0; q < nThreadsCfg; q++) {
    kThreadBound(src, q);
    const w = kBoundW();
    const t = kBoundT();
    const v = kVirtualWrites(w, q) | kInvariantVirtualBound(w);
    setB(q, w | v, t | v);
  }
}

/** Does a step of thread t with footprint (r, w) (virtual bits included) commute with every step any other
 *  thread may still take (their bounds at the last computeBounds)? */
export function independentOfOthers(t: i32, r: u64, w: u64): bool {
  for (let q = 0; q < nThreadsCfg; q++) {
    if (q == t) continue;
    if ((w & getT(q)) != 0 || (r & getW(q)) != 0) return false;
  }
  return true;
}

/** Check the generated moves against their threads' bounds. Returns false (and records the culprit) if a step
 *  touches an object outside its bound. */
function boundsHold(): bool {
  let m = enabledMask;
  while (m != 0) {
    const x = <i32>ctz(m);
    m &= m - 1;
    const e = succ(x);
    const q = x >> 1;
    const r = load<u64>(e + S_RAWR);
    const w = load<u64>(e + S_RAWW);
    if ((w & ~getW(q)) != 0 || ((r | w) & ~getT(q)) != 0) {
      if (cas32(CTRL + X_BOUNDERR, 0, <u32>(q + 1) | (<u32>load<u8>(e + S_LABEL) << 8)) == 0) {
        st64(CTRL + X_BOUNDW, getT(q));
        st64(CTRL + X_STEPW, r | w);
      }
      return false;
    }
  }
  return true;
}

/** Reads and writes of the enabled moves of the threads in `set`. */
let setR: u64 = 0;
let setW: u64 = 0;
function footprintOf(set: u32): void {
  let r: u64 = 0;
  let w: u64 = 0;
  let k = enabledMask & movesOf(set);
  while (k != 0) {
    const x = <i32>ctz(k);
    k &= k - 1;
    r |= load<u64>(succ(x) + S_READS);
    w |= load<u64>(succ(x) + S_WRITES);
  }
  setR = r;
  setW = w;
}

/** The two move bits of each thread in `set`. */
function movesOf(set: u32): u32 {
  let m: u32 = 0;
  let k = set;
  while (k != 0) {
    const t = <u32>ctz(k);
    k &= k - 1;
    m |= <u32>3 << (t * 2);
  }
  return m;
}

/** Close {p} into a set of threads whose enabled moves form a persistent set: every thread outside the set, and
 *  every disabled thread inside it, may only take steps that commute with those moves (its footprint bound does
 *  not meet them). An enabled thread that conflicts joins the set; a disabled one that conflicts means no
 *  persistent set grows from p. Returns the set of threads, or 0. */
function closure(p: i32): u32 {
  let set: u32 = <u32>1 << p;
  let changed = true;
  while (changed) {
    changed = false;
    footprintOf(set);
    for (let q = 0; q < nThreadsCfg; q++) {
      const inSet = (set & (<u32>1 << q)) != 0;
      const enabled = (enabledThreads & (<u32>1 << q)) != 0;
      if (inSet && enabled) continue;
      if ((setW & getT(q)) == 0 && (setR & getW(q)) == 0) continue;
      if (!enabled) return 0;
      set |= <u32>1 << q;
      changed = true;
    }
  }
  return set;
}

/** Moves to explore first (an ample set, or all enabled moves). Returns 0xFFFFFFFF if a bound was violated. */
export function ample(src: usize): u32 {
  const en = enabledMask;
  if (!por && !checkBounds && !transactions) return en;
  computeBounds(src);
  if (!boundsHold()) return 0xffffffff;
  if (!por || popcnt(enabledThreads) <= 1) return en;
  // The smallest persistent set grown from one enabled thread, whose successors are all good.
  let best: u32 = en;
  let threads = enabledThreads;
  while (threads != 0) {
    const p = <i32>ctz(threads);
    threads &= threads - 1;
    const set = closure(p);
    if (set == 0 || set == enabledThreads) continue;
    const mv = en & movesOf(set);
    if (popcnt(mv) >= popcnt(best)) continue;
    let ok = true;
    let k = mv;
    while (k != 0 && ok) {
      const x = <i32>ctz(k);
      k &= k - 1;
      if (judgeSucc(x)) ok = false;
    }
    if (ok) best = mv;
  }
  return best;
}
