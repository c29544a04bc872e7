// Preemption-bounded search: all interleavings with 0 preemptions, then 1, 2, ... (one pass, checker/wasm/pb.ts),
// so the first counterexample of each property has the fewest preemptions (Musuvathi & Qadeer, PLDI 2007).
// With --max-preemptions K the search stops at K: interleavings needing more are not explored (incomplete unless
// none was cut). Full storage, no other reduction (the bound is the reduction).

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { finish, type Found } from './collect.ts';
import { engine } from './engine-api.ts';
import { loopSteps, type Steps } from './loop.ts';
import { prepare, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';

/** preemptionBounded, yielding between batches. */
export function* preemptionBoundedSteps(
  x: FdraceExports,
  c: Compiled,
  limits: Limits = {},
  file = c.scenario.name,
  options: SearchOptions = {},
): Steps<SearchResult> {
  const o: SearchOptions = { ...options, strategy: 'pb', storage: 'full', por: false, symmetry: false };
  const t0 = performance.now();
  prepare(x, c, limits, o);
  const e = engine(x);
  const found = new Map<number, Found>();
  let incomplete = yield* loopSteps(x, limits, t0, {
    step: (n) => e.ePbRun(n),
    frontier: () => e.eFrontier() >>> 0,
    remaining: () => `preemption bound ${e.ePbBound()}${options.maxPreemptions !== undefined ? ` of ${options.maxPreemptions}` : ''}`,
  });
  if (!incomplete && e.ePbCut() !== 0) {
    incomplete = `--max-preemptions ${options.maxPreemptions}: interleavings with more preemptions were not explored`;
  }
  const r = finish({ x, c, file, t0, incomplete, found, options: o, limits, exhaustive: true });
  r.violations.sort((a, b) => (a.preemptions ?? 0) - (b.preemptions ?? 0));
  return r;
}
