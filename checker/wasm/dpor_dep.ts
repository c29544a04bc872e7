// The dependency relation of dynamic partial-order reduction (dpor.ts), in one place so that finer footprints
// plug in without touching the search. Two steps of different threads are dependent when one writes an object
// the other reads or writes; footprints are the steps' S_READS/S_WRITES (expand.ts), which carry the virtual
// objects of expectations and invariants (a step changing what a property reads writes the property's virtual
// object, so every two such steps are ordered as in some explored trace). A lock acquisition reads and writes
// the lock's object bit and so does the release, which is what makes "the release enables the blocked acquire"
// a dependency.

import { kBoundT, kBoundW, kInvariantVirtualBound, kThreadBound, kVirtualWrites } from '../../model/index';
import { nThreadsCfg } from './config';

/** Do steps with footprints (ra, wa) and (rb, wb) of different threads fail to commute? */
// @ts-ignore: decorator
@inline export function dependent(ra: u64, wa: u64, rb: u64, wb: u64): bool {
  return ((wa & (rb | wb)) | (wb & ra)) != 0;
}

// Per-thread bounds of a state (everything the thread may still read or write, on any path), virtual objects
// included as por.ts computes them.
const boundW = new StaticArray<u64>(8);
const boundT = new StaticArray<u64>(8);

export function dporBounds(s: usize): void {
  for (let q = 0; q < nThreadsCfg; q++) {
    kThreadBound(s, q);
    const w = kBoundW();
    const t = kBoundT();
    const v = kVirtualWrites(w, q) | kInvariantVirtualBound(w);
    unchecked((boundW[q] = w | v));
    unchecked((boundT[q] = t | v));
  }
}

/** After dporBounds: may a future step of thread q fail to commute with a step of footprint (r, w)? */
export function dependentWithBound(q: i32, r: u64, w: u64): bool {
  return ((w & unchecked(boundT[q])) | (r & unchecked(boundW[q]))) != 0;
}
