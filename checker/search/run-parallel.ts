// Parallel breadth-first search with the same fallback as the single-thread entry point (checker/search/run.ts):
// a step outside its footprint bound redoes the search without partial-order reduction. Node only (worker
// threads), so it is kept apart from run.ts, which the browser build imports.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import type { Limits, SearchOptions } from './options.ts';
import { parallelBfs } from './parallel.ts';
import { partitionedBfs } from './partition.ts';
import type { SearchResult } from './result.ts';
import { loadKernel } from '../kernel/load-node.ts';
import { drainAsync } from './loop.ts';
import { type After, note, searchSteps, searchYielding, withoutPor } from './run.ts';

/** Search with `workers` worker threads (bfs), or in this thread when workers is 1 or the strategy is not bfs. */
export async function searchAsync(
  x: FdraceExports,
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file = c.scenario.name,
  after?: After,
): Promise<SearchResult> {
  if (workers <= 1 || (options.strategy ?? 'bfs') !== 'bfs') return searchYielding(x, c, limits, options, file, after);
  return parallelSearch(c, limits, options, workers, file, after);
}

/** Parallel bfs only (the Session's injected parallel search). */
export async function parallelSearch(c: Compiled, limits: Limits, options: SearchOptions, workers: number, file: string, after?: After): Promise<SearchResult> {
  let r: SearchResult;
  let o = options;
  // Partitioned workers keep no instance that holds the states: `after` (lock-order analysis) gets the
  // coordinator's kernel instance.
  const run = (opts: SearchOptions) =>
    opts.partition ? partitionedBfs(c, limits, opts, workers, file, {}, after) : parallelBfs(c, limits, opts, workers, file, after);
  try {
    r = await run(o);
  } catch (e) {
    o = withoutPor(e, options);
    r = note(await run(o), e);
  }
  return canonicalPaths(await loadKernel(), c, limits, o, file, r);
}

/** Workers race to insert a state, so which of its shortest paths a parallel BFS keeps varies from run to run.
 *  The reported paths are made reproducible by re-deriving them with one worker, breadth-first up to the deepest
 *  violation's level: the result is the path `--workers 1` reports (the first in the engine's move order among the
 *  shortest), at the cost of that many levels again, and only when something was found. */
async function canonicalPaths(x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, file: string, r: SearchResult): Promise<SearchResult> {
  const withPath = r.violations.filter((v) => v.kind !== 'sometimes' && v.kind !== 'inversion');
  if (withPath.length === 0) return r;
  const depth = Math.max(...withPath.map((v) => v.steps));
  const one = await drainAsync(searchSteps(x, c, { ...limits, maxDepth: Math.min(65535, depth + 1), onProgress: undefined }, options, file));
  let replaced = 0;
  for (const v of withPath) {
    const w = one.violations.find((u) => u.property === v.property && u.kind === v.kind && u.steps === v.steps);
    if (!w) continue;
    v.path = w.path;
    v.message = w.message;
    replaced++;
  }
  if (replaced < withPath.length && r.search) {
    r.search.notes = [
      ...(r.search.notes ?? []),
      `${withPath.length - replaced} counterexample path(s) could not be re-derived with one worker (${one.incomplete ?? 'not found'}): they may differ between runs`,
    ];
  }
  return r;
}
