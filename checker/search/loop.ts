// The batch loop every single-threaded strategy runs: call the engine for a batch, then check the limits
// (--max-states is enforced inside the engine, --timeout and Ctrl-C here), report progress, and name the reason
// when the search stopped early. Nothing hangs: each batch is a few milliseconds of work.
// Strategies are generators that yield between batches: `drain` runs one to the end in the calling thread,
// `drainAsync` gives the event loop a turn every few milliseconds, so that a SIGINT handler (Ctrl-C) or a closed
// stdout is noticed by a single-worker search.

import type { FdraceExports } from '../kernel/exports.ts';
import { boundError } from './collect.ts';
import { RUN, engine } from './engine-api.ts';
import type { Limits } from './options.ts';

export const BATCH = 4096;

export function stopReason(limits: Limits, t0: number): string | undefined {
  const seconds = (performance.now() - t0) / 1000;
  if (limits.timeoutSeconds !== undefined && seconds >= limits.timeoutSeconds) return `--timeout ${limits.timeoutSeconds}s reached`;
  if (limits.interrupted?.()) return 'interrupted';
  return undefined;
}

export function outcomeReason(rc: number, limits: Limits): string | undefined {
  if (rc === RUN.outOfMemory) return 'out of memory (--max-memory or the 4 GiB Wasm limit)';
  if (rc === RUN.limit) return `--max-states ${limits.maxStates} reached`;
  return undefined;
}

export interface LoopHooks {
  /** Run one batch; returns an engine RUN_* code. */
  step(budget: number): number;
  /** A report was added (RUN_FOUND): collect its path. */
  onFound?(): void;
  /** Frontier size and what is left, for progress. */
  frontier(): number;
  remaining?(): string | undefined;
}

/** A search that yields between batches and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/** Run a stepped search to its end without yielding to the event loop. */
export function drain<T>(g: Steps<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** One turn of the event loop. Node's setImmediate runs after pending I/O (a SIGINT, a closed pipe) without
 *  setTimeout's 1 ms floor; the browser (the playground's worker) has only setTimeout. */
function turn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise<void>((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** Run a stepped search, giving the event loop a turn every `sliceMs` milliseconds (signals, pipes, timers). */
export async function drainAsync<T>(g: Steps<T>, sliceMs = 20): Promise<T> {
  let t = performance.now();
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (performance.now() - t >= sliceMs) {
      await turn();
      t = performance.now();
    }
  }
}

/** Run batches until done or stopped. Returns why the search is incomplete, if it is. */
export function runLoop(x: FdraceExports, limits: Limits, t0: number, hooks: LoopHooks): string | undefined {
  return drain(loopSteps(x, limits, t0, hooks));
}

/** runLoop, yielding after each batch. */
export function* loopSteps(x: FdraceExports, limits: Limits, t0: number, hooks: LoopHooks): Steps<string | undefined> {
  const e = engine(x);
  let lastProgress = t0;
  for (;;) {
    const rc = hooks.step(BATCH);
    yield;
    if (rc === RUN.bound) throw boundError(x) ?? new Error('internal error: footprint bound violated');
    if (rc === RUN.found) hooks.onFound?.();
    if (rc === RUN.done) break;
    const early = outcomeReason(rc, limits);
    if (early) return early;
    const why = stopReason(limits, t0);
    if (why) return why;
    if (limits.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      limits.onProgress({
        states: x.eCount() >>> 0,
        frontier: hooks.frontier(),
        transitions: x.eTransitions(),
        depth: x.eMaxDepth(),
        seconds: (performance.now() - t0) / 1000,
        memoryBytes: x.eMemBytes(),
        remaining: hooks.remaining?.(),
      });
    }
  }
  if (e.eDepthCut() !== 0) return `--max-depth ${limits.maxDepth} reached`;
  return undefined;
}
