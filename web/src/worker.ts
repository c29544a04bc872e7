// The playground's checker, off the main thread: parse, compile and run the BFS in this worker's own kernel
// instance, exactly as `fdrace ci` does (lock-order inversions included). Cancel terminates the worker, so nothing here needs to poll for it.

import * as Comlink from 'comlink';
import { compileScenario } from '../../checker/compile/config.ts';
import { compare } from '../../checker/expected.ts';
import { withLockOrder } from '../../checker/lockdep.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { ScenarioError } from '../../checker/scenario/types.ts';
import { bfs, type Progress } from '../../checker/search/bfs.ts';
import type { SearchResult } from '../../checker/search/result.ts';
import { checkVariantSpec, resolveVariant } from '../../checker/variants.ts';
import { ExploreError, exploreFrom, type ExploreResult } from '../../checker/trace/explore.ts';
import { WatchError, watchValues } from '../../checker/trace/watch.ts';
import { parsePath } from '../../checker/search/result.ts';
import { DeriveError, deriveTrace } from './derive.ts';
import { kernel } from './kernel.ts';
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

export type CheckOutcome =
  | { ok: true; result: SearchResult; expected: string; actual: string; matches: boolean }
  | { ok: false; error: string };

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
  async explore(source: string, variant: string, prefix: string, limits: { maxStates: number; timeoutSeconds: number }, onProgress?: (states: number, frontier: number) => void): Promise<ExploreOutcome> {
    try {
      const scenario = parseScenario(source, 'explore.fdr', { variants: checkVariantSpec });
      const [spec = '', ...withT] = variant.split('+');
      const v = resolveVariant(spec, [], withT);
      const compiled = compileScenario(scenario, v.label, v.toggles, 'explore.fdr');
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
      const v = resolveVariant(variant);
      const compiled = compileScenario(scenario, v.label, v.toggles, 'playground.fdr');
      const x = await kernel();
      // Lock-order inversions are read from the lock graph the whole exploration recorded, as `fdrace ci` does.
      const searched = bfs(
        x,
        compiled,
        {
          maxStates: limits.maxStates,
          timeoutSeconds: limits.timeoutSeconds,
          maxMemoryBytes: limits.maxMemoryBytes,
          // Fire-and-forget: the call posts a message now; awaiting it would need the event loop the BFS holds.
          onProgress: onProgress ? (p) => void onProgress(p) : undefined,
        },
        'playground.fdr',
      );
      const result = withLockOrder(searched, x, compiled);
      const cmp = compare(scenario, result, variant);
      return { ok: true, result, expected: cmp.expected, actual: cmp.actual, matches: cmp.matches };
    } catch (e) {
      if (e instanceof ScenarioError) return { ok: false, error: `${e.loc.line}:${e.loc.col}: ${e.message}` };
      return { ok: false, error: (e as Error).message };
    }
  },
};

export type CheckerApi = typeof api;

Comlink.expose(api);
