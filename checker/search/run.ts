// One entry point for every strategy. A step outside its thread's footprint bound (model/search_bounds.ts out
// of date with a new kernel routine) would make partial-order reduction unsound: the search is then redone
// without it, and the result says so.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { bfsSteps } from './bfs.ts';
import { BoundError } from './collect.ts';
import { dfsSteps } from './dfs.ts';
import { drain, drainAsync, type Steps } from './loop.ts';
import type { Limits, SearchOptions } from './options.ts';
import { parallelBfs } from './parallel.ts';
import { preemptionBoundedSteps } from './pb.ts';
import { randomWalkSteps } from './random.ts';
import type { SearchResult } from './result.ts';

function once(x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, file: string): Steps<SearchResult> {
  switch (options.strategy ?? 'bfs') {
    case 'bfs':
      return bfsSteps(x, c, limits, file, options);
    case 'dfs':
      return dfsSteps(x, c, limits, file, options);
    case 'random':
      return randomWalkSteps(x, c, limits, file, options);
    case 'pb':
      return preemptionBoundedSteps(x, c, limits, file, options);
  }
}

function withoutPor(e: unknown, options: SearchOptions): SearchOptions {
  if (!(e instanceof BoundError) || options.por === false) throw e;
  return { ...options, por: false };
}

function note(r: SearchResult, e: unknown): SearchResult {
  const msg = (e as Error).message.replace(/^internal error: /, '');
  if (r.search) r.search.notes = [...(r.search.notes ?? []), `partial-order reduction was switched off: ${msg}`];
  return r;
}

/** Called with the result and the instance that searched, before the instance is reused or released (lock-order
 *  analysis reads the kernel's edge table from it). */
export type After = (r: SearchResult, x: FdraceExports) => SearchResult;

/** One worker's search, yielding between batches. */
export function* searchSteps(x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, file = c.scenario.name, after?: After): Steps<SearchResult> {
  let r: SearchResult;
  try {
    r = yield* once(x, c, limits, options, file);
  } catch (e) {
    r = note(yield* once(x, c, limits, withoutPor(e, options), file), e);
  }
  return after ? after(r, x) : r;
}

/** Search with one worker (the calling thread). */
export function search(x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, file = c.scenario.name, after?: After): SearchResult {
  return drain(searchSteps(x, c, limits, options, file, after));
}

/** Search with `workers` worker threads (bfs), or in this thread when workers is 1. */
export async function searchAsync(
  x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, workers: number, file = c.scenario.name, after?: After,
): Promise<SearchResult> {
  // One worker searches in this thread, giving the event loop a turn every few milliseconds (Ctrl-C, pipes).
  if (workers <= 1 || (options.strategy ?? 'bfs') !== 'bfs') return drainAsync(searchSteps(x, c, limits, options, file, after));
  let r: SearchResult;
  let o = options;
  try {
    r = await parallelBfs(c, limits, o, workers, file, after);
  } catch (e) {
    o = withoutPor(e, options);
    r = note(await parallelBfs(c, limits, o, workers, file, after), e);
  }
  return canonicalPaths(x, c, limits, o, file, r);
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
    r.search.notes = [...(r.search.notes ?? []), `${withPath.length - replaced} counterexample path(s) could not be re-derived with one worker (${one.incomplete ?? 'not found'}): they may differ between runs`];
  }
  return r;
}
