// Breadth-first search (the default strategy): level by level, so the first violation of each property is found
// on a shortest path — without reductions. The loop runs in Wasm (checker/wasm/bfs.ts); this driver feeds it
// batches, enforces the limits between batches and turns reports into violations with paths. Parallel BFS over
// several workers is checker/search/parallel.ts.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { finish, type Found } from './collect.ts';
import { engine } from './engine-api.ts';
import { loopSteps, type Steps } from './loop.ts';
import { prepare, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';

/** Breadth-first search, yielding between batches (run through checker/search/strategy.ts). Without options:
 *  full storage, no reduction. */
export function* bfsSteps(
  x: FdraceExports,
  c: Compiled,
  limits: Limits = {},
  file = c.scenario.name,
  options: SearchOptions = { por: false, symmetry: false },
): Steps<SearchResult> {
  const o: SearchOptions = { ...options, strategy: 'bfs' };
  const t0 = performance.now();
  prepare(x, c, limits, o);
  const e = engine(x);
  const found = new Map<number, Found>();
  const incomplete = yield* loopSteps(x, limits, t0, {
    step: (n) => x.eRun(n),
    frontier: () => e.eFrontier() >>> 0,
    remaining: () => `level ${e.eLevel()}`,
  });
  return finish({ x, c, file, t0, incomplete, found, options: o, limits, exhaustive: true });
}
