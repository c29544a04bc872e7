// Depth-first search: memory is the visited set plus the stack, and a counterexample is the stack (not the
// shortest path). One worker. The loop is checker/wasm/dfs.ts; when it adds a report it returns, and the path
// (stack plus the last move) is collected here before it changes.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { finish, realMoves, type Found } from './collect.ts';
import { engine } from './engine-api.ts';
import { loopSteps, type Steps } from './loop.ts';
import { prepare, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';

/** dfs, yielding between batches. */
export function* dfsSteps(x: FdraceExports, c: Compiled, limits: Limits = {}, file = c.scenario.name, options: SearchOptions = {}): Steps<SearchResult> {
  const o: SearchOptions = { ...options, strategy: 'dfs' };
  const t0 = performance.now();
  prepare(x, c, limits, o);
  const e = engine(x);
  const found = new Map<number, Found>();
  // Reports made while initialising (a bad initial state) have the empty path.
  for (let k = 0; k < x.eReportCount(); k++) found.set(k, { moves: [] });
  let seen = x.eReportCount();
  const collect = () => {
    const moves: number[] = [];
    const depth = e.eDfsDepth() >>> 0;
    for (let i = 1; i < depth; i++) moves.push(e.eDfsMove(i));
    const last = e.eDfsPendingMove();
    if (last !== 0xff) moves.push(last);
    const real = realMoves(x, moves);
    for (let k = seen; k < x.eReportCount(); k++) found.set(k, { moves: real });
    seen = x.eReportCount();
  };
  const incomplete = yield* loopSteps(x, limits, t0, {
    step: (n) => {
      const rc = e.eDfsRun(n);
      return rc;
    },
    onFound: collect,
    frontier: () => e.eDfsDepth() >>> 0,
  });
  return finish({ x, c, file, t0, incomplete, found, options: o, limits, exhaustive: true });
}
