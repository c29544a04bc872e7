// Parallel breadth-first search with the same fallback as the single-thread entry point (checker/search/run.ts):
// a step outside its footprint bound redoes the search without partial-order reduction. Node only (worker
// threads), so it is kept apart from run.ts, which the browser build imports.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import type { Limits, SearchOptions } from './options.ts';
import { parallelBfs } from './parallel.ts';
import type { SearchResult } from './result.ts';
import { type After, note, searchYielding, withoutPor } from './run.ts';

/** Search with `workers` worker threads (bfs), or in this thread when workers is 1 or the strategy is not bfs. */
export async function searchAsync(
  x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, workers: number, file = c.scenario.name, after?: After,
): Promise<SearchResult> {
  if (workers <= 1 || (options.strategy ?? 'bfs') !== 'bfs') return searchYielding(x, c, limits, options, file, after);
  return parallelSearch(c, limits, options, workers, file, after);
}

/** Parallel bfs only (the Session's injected parallel search). */
export async function parallelSearch(c: Compiled, limits: Limits, options: SearchOptions, workers: number, file: string, after?: After): Promise<SearchResult> {
  try {
    return await parallelBfs(c, limits, options, workers, file, after);
  } catch (e) {
    return note(await parallelBfs(c, limits, withoutPor(e, options), workers, file, after), e);
  }
}
