// The playground's checker, off the main thread: the same Session pipeline as `fdrace check` and `fdrace ci` (one
// set of search defaults, lock-order inversions included), in this worker's own kernel instances. Cancel terminates the worker, so nothing here needs to poll for it.

import * as Comlink from 'comlink';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { ScenarioError } from '../../checker/scenario/types.ts';
import type { Progress } from '../../checker/search/options.ts';
import type { SearchResult } from '../../checker/search/result.ts';
import { checkVariantSpec } from '../../checker/variants.ts';
import { Session } from '../../checker/session.ts';
import { instantiate } from '../../checker/kernel/exports.ts';
import { ExploreError, exploreFrom, type ExploreResult } from '../../checker/trace/explore.ts';
import { WatchError, watchValues } from '../../checker/trace/watch.ts';
import { parsePath } from '../../checker/search/result.ts';
import { DeriveError, deriveTrace } from './derive.ts';
import { kernel, kernelModule } from './kernel.ts';
import type { Share } from './url.ts';
import type { ViewTrace } from './validate.ts';

export interface CheckLimits {
  maxStates: number;
  timeoutSeconds: number;
  maxMemoryBytes: number;
}

export type DeriveOutcome = { ok: true; trace: ViewTrace } | { ok: false; error: string; derive: boolean };
export type ExploreOutcome = { ok: true; result: ExploreResult } | { ok: false; error: string };
export type WatchOutcome = { ok: true; values: boolean[] } | { ok: false; error: string };

export type CheckOutcome = { ok: true; result: SearchResult; expected: string; actual: string; matches: boolean } | { ok: false; error: string };

// The worker's own pipeline: fresh kernel instances for its searches (the shared one serves replays).
const session = new Session({ kernel: () => kernelModule().then(instantiate) });

const api = {
  /** Replay a shared link's path off the main thread, reporting progress (a long path must not freeze the tab). */
  async derive(share: Share, onProgress?: (done: number, total: number) => void): Promise<DeriveOutcome> {
    try {
      let last = 0;
      const trace = await deriveTrace(share, (done, total) => {
        const now = performance.now();
        if (onProgress && now - last > 50) {
          last = now;
          void onProgress(done, total);
        }
      });
      return { ok: true, trace };
    } catch (e) {
      return { ok: false, error: (e as Error).message, derive: e instanceof DeriveError };
    }
  },
  /** Every continuation of `prefix` (a path), searched from the state it reaches. */
  async explore(
    source: string,
    variant: string,
    prefix: string,
    limits: { maxStates: number; timeoutSeconds: number },
    onProgress?: (states: number, frontier: number) => void,
  ): Promise<ExploreOutcome> {
    try {
      const scenario = parseScenario(source, 'explore.fdr', { variants: checkVariantSpec });
      const compiled = session.compile(scenario, session.resolve(variant), 'explore.fdr');
      const moves = parsePath(prefix, compiled.ix.threadNames.length);
      const result = exploreFrom(await kernel(), compiled, moves, limits, onProgress ? (a, b) => void onProgress(a, b) : undefined);
      return { ok: true, result };
    } catch (e) {
      if (e instanceof ScenarioError) return { ok: false, error: `${e.loc.line}:${e.loc.col}: ${e.message}` };
      return { ok: false, error: e instanceof ExploreError ? e.message : (e as Error).message };
    }
  },
  async watch(source: string, variant: string, path: string, expr: string): Promise<WatchOutcome> {
    try {
      return { ok: true, values: watchValues(await kernel(), source, variant, path, expr) };
    } catch (e) {
      return { ok: false, error: e instanceof WatchError ? e.message : `unexpected error: ${(e as Error).message}` };
    }
  },
  async check(source: string, variant: string, limits: CheckLimits, onProgress?: (p: Progress) => void): Promise<CheckOutcome> {
    try {
      const scenario = parseScenario(source, 'playground.fdr', { variants: checkVariantSpec });
      // The same pipeline and defaults as `fdrace check` and `fdrace ci` (lock-order inversions included).
      const { result, comparison } = await session.check(scenario, session.resolve(variant), 'playground.fdr', {
        limits: {
          maxStates: limits.maxStates,
          timeoutSeconds: limits.timeoutSeconds,
          maxMemoryBytes: limits.maxMemoryBytes,
          // Fire-and-forget: the call posts a message now.
          onProgress: onProgress ? (p) => void onProgress(p) : undefined,
        },
      });
      return { ok: true, result, expected: comparison.expected, actual: comparison.actual, matches: comparison.matches };
    } catch (e) {
      if (e instanceof ScenarioError) return { ok: false, error: `${e.loc.line}:${e.loc.col}: ${e.message}` };
      return { ok: false, error: (e as Error).message };
    }
  },
};

export type CheckerApi = typeof api;

Comlink.expose(api);
