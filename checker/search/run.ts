// One entry point for every strategy. A step outside its thread's footprint bound (model/search_bounds.ts out
// of date with a new kernel routine) would make partial-order reduction unsound: the search is then redone
// without it, and the result says so.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { BoundError } from './collect.ts';
import { drain, drainAsync, type Steps } from './loop.ts';
import type { Limits, SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';
import { strategyFor } from './strategy.ts';

function once(x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, file: string): Steps<SearchResult> {
  return strategyFor(options).steps(x, c, limits, file, options);
}

export function withoutPor(e: unknown, options: SearchOptions): SearchOptions {
  if (!(e instanceof BoundError) || (options.por === false && !options.transactions && !options.dpor)) throw e;
  // The transaction reduction's both-movers rely on the same bounds (checker/wasm/transaction.ts).
  const { dpor: _dpor, ...rest } = options;
  return { ...rest, por: false, transactions: false, checkMovers: false };
}

export function note(r: SearchResult, e: unknown): SearchResult {
  const msg = (e as Error).message.replace(/^internal error: /, '');
  if (r.search) r.search.notes = [...(r.search.notes ?? []), `partial-order reduction was switched off: ${msg}`];
  return r;
}

/** Called with the result and the instance that searched, before the instance is reused or released (lock-order
 *  analysis reads the kernel's edge table from it). */
export type After = (r: SearchResult, x: FdraceExports) => SearchResult;

/** One worker's search, yielding between batches. */
export function* searchSteps(
  x: FdraceExports,
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  file = c.scenario.name,
  after?: After,
): Steps<SearchResult> {
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

/** One worker's search in the calling thread, giving the event loop a turn every few milliseconds (Ctrl-C,
 *  pipes, progress). */
export function searchYielding(
  x: FdraceExports,
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  file = c.scenario.name,
  after?: After,
): Promise<SearchResult> {
  return drainAsync(searchSteps(x, c, limits, options, file, after));
}
