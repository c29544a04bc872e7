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
import { kernel } from './kernel.ts';

export interface CheckLimits {
  maxStates: number;
  timeoutSeconds: number;
  maxMemoryBytes: number;
}

export type CheckOutcome =
  | { ok: true; result: SearchResult; expected: string; actual: string; matches: boolean }
  | { ok: false; error: string };

const api = {
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
