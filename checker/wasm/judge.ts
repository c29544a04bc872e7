// Properties checked on states: every kernel invariant (kCheckMask), always/never/sometimes expectations on every
// state, and at-end expectations and deadlocks on terminal states. Only fatal violations (kIsFatal: the state is
// corrupt) stop the search from expanding a state; the others are reported and the search goes on. Findings go
// to the report table (one entry per property, the first found wins), which the host turns into violations
// with paths.

import { Report } from '../../model/abi';
import {
  kAllDone, kCanonicalize, kCheckMask, kEvalExpect, kExpectModality, kIsFatal, kViolObjOf,
} from '../../model/index';
import { Modality } from '../../model/codes';
import {
  CTRL, REPORTS, X_CHUNKS_TERM, X_NREPORTS, X_NTERM, X_PRED_LOCK, X_REPORT_LOCK, X_SOMETIMES, X_TERMINALS, add32,
  ld32, lock, or32, st32, unlock,
} from './shared';
import { collectTerminals, nExpect, nPred, stateBytes } from './config';
import { LIST_SHIFT, arrAt, arrEnsure } from './store';
import { hash64 } from './hash';
import { G_RETURNED } from '../../model/atoms';

export const R_INVARIANT: u8 = <u8>Report.Invariant;
export const R_EXPECT: u8 = <u8>Report.Expect;
export const R_DEADLOCK: u8 = <u8>Report.Deadlock;
export const MAX_REPORTS: u32 = 64;
export const REPORT_BYTES: usize = 16;

/** Set whenever a report is added (DFS and walks return to the host to collect the path). */
export let reported: bool = false;

/** Record a finding unless this (kind, code) is already reported. `seq` names the state (record id or sequence
 *  number); `extra` is the strategy's annotation (preemptions for pb). */
export function report(kind: u8, code: u8, obj: u8, seq: u32, extra: u32): void {
  if (alreadyReported(kind, code)) return;
  lock(X_REPORT_LOCK);
  const n = ld32(CTRL + X_NREPORTS);
  let dup = false;
  for (let k: u32 = 0; k < n; k++) {
    const p = REPORTS + <usize>k * REPORT_BYTES;
    if (load<u8>(p) == kind && load<u8>(p + 1) == code) {
      dup = true;
      break;
    }
  }
  if (!dup && n < MAX_REPORTS) {
    const p = REPORTS + <usize>n * REPORT_BYTES;
    store<u8>(p, kind);
    store<u8>(p + 1, code);
    store<u8>(p + 2, obj);
    store<u32>(p + 4, seq);
    store<u32>(p + 8, extra);
    st32(CTRL + X_NREPORTS, n + 1);
    reported = true;
  }
  unlock(X_REPORT_LOCK);
}

/** Is (kind, code) reported already? */
export function alreadyReported(kind: u8, code: u8): bool {
  const n = ld32(CTRL + X_NREPORTS);
  for (let k: u32 = 0; k < n; k++) {
    const p = REPORTS + <usize>k * REPORT_BYTES;
    if (load<u8>(p) == kind && load<u8>(p + 1) == code) return true;
  }
  return false;
}

// The invariant checks use scratch of each instance's own (kCheckScratch, given to every worker by eAttach) and
// run without a lock; the expectations' predicate stack and probe state are shared fixed areas, so their evaluation
// is serialised.
function evalExpect(s: usize, k: i32): bool {
  if (!ASC_FEATURE_THREADS) return kEvalExpect(s, k);
  lock(X_PRED_LOCK);
  const v = kEvalExpect(s, k);
  unlock(X_PRED_LOCK);
  return v;
}

/** Result of the last judge(): invariants violated (bit per Viol code) with each one's object, the failed
 *  expectations, and whether a violation is fatal. */
export let jMask: u32 = 0;
export let jExpect: u32 = 0;
export let jFatal: bool = false;

function objectsInto(mask: u32, objs: usize): void {
  let m = mask;
  while (m != 0) {
    const v = <i32>ctz(m);
    m &= m - 1;
    store<u8>(objs + <usize>v, <u8>kViolObjOf(v));
  }
}

/** Judge a state: invariants and always/never expectations (sometimes: remember satisfied ones). The objects of
 *  the violated invariants go to `objs` (32 bytes, one per code). Returns true if anything is violated. */
export function judge(s: usize, objs: usize): bool {
  const mask = kCheckMask(s);
  if (mask != 0) objectsInto(mask, objs);
  let fatal = false;
  let m = mask;
  while (m != 0) {
    const v = <i32>ctz(m);
    m &= m - 1;
    if (kIsFatal(v)) fatal = true;
  }
  let fails: u32 = 0;
  if (nPred > 0) {
    let sat: u32 = 0;
    for (let k = 0; k < nExpect; k++) {
      const md = kExpectModality(k);
      if (md == Modality.AtEnd) continue;
      const holds = evalExpect(s, k);
      if (md == Modality.Sometimes) {
        if (holds) sat |= <u32>1 << k;
      } else if ((md == Modality.Always && !holds) || (md == Modality.Never && holds)) fails |= <u32>1 << k;
    }
    if (sat != 0 && (ld32(CTRL + X_SOMETIMES) & sat) != sat) or32(CTRL + X_SOMETIMES, sat);
  }
  jMask = mask;
  jExpect = fails;
  jFatal = fatal;
  return mask != 0 || fails != 0;
}

/** Report what judge() found, for the state `seq`. */
export function reportJudged(mask: u32, objs: usize, fails: u32, seq: u32, extra: u32): void {
  while (mask != 0) {
    const v = <i32>ctz(mask);
    mask &= mask - 1;
    report(R_INVARIANT, <u8>v, load<u8>(objs + <usize>v), seq, extra);
  }
  while (fails != 0) {
    const k = ctz(fails);
    report(R_EXPECT, <u8>k, 0, seq, extra);
    fails &= fails - 1;
  }
}

/** A state where no thread can move: a deadlock unless every thread finished; then the at-end expectations. */
export function terminal(s: usize, seq: u32, extra: u32): void {
  add32(CTRL + X_TERMINALS, 1);
  if (collectTerminals != 0) collect(s);
  if (!kAllDone(s)) {
    report(R_DEADLOCK, 0, 0, seq, extra);
    return;
  }
  for (let k = 0; k < nExpect; k++) {
    if (kExpectModality(k) == Modality.AtEnd && !evalExpect(s, k)) report(R_EXPECT, <u8>k, 0, seq, extra);
  }
}

/** Scratch for canonicalising a copy (terminal collection); set by the engine per instance. */
let termScratch: usize = 0;
export function setTermScratch(p: usize): void {
  termScratch = p;
}

function collect(s: usize): void {
  let p = s;
  const marked = load<u8>(s + <usize>G_RETURNED) != 0;
  if ((collectTerminals == 2 || marked) && termScratch != 0) {
    memory.copy(termScratch, s, stateBytes);
    // The mark of a watched return (model/atoms.ts) says how the state was reached, not what it is.
    store<u8>(termScratch + <usize>G_RETURNED, 0);
    if (collectTerminals == 2) kCanonicalize(termScratch);
    p = termScratch;
  }
  const h = hash64(p, stateBytes, 0x243f6a8885a308d3);
  const i = add32(CTRL + X_NTERM, 1);
  const q = arrEnsure(X_CHUNKS_TERM, i, LIST_SHIFT, 8);
  if (q != 0) store<u64>(q, h);
}

export function terminalAddr(i: u32): usize {
  return arrAt(X_CHUNKS_TERM, i, LIST_SHIFT, 8);
}
