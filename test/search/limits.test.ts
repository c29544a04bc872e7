// Limits end every strategy with a labelled incomplete result and its statistics; nothing hangs.
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import type { Strategy } from '../../checker/search/options.ts';
import { search } from '../../checker/search/run.ts';
import { compileText, library, TWO_CLOSES } from './util.ts';

const STRATEGIES: Strategy[] = ['bfs', 'dfs', 'pb', 'random'];

describe('limits', async () => {
  const x = await loadKernel();
  const big = library().find((e) => e.file.endsWith('F07-replace-vs-add.fdr') && e.variant === 'rfc-v7')!.c;

  it("--max-states stops every strategy within one state's successors", () => {
    for (const strategy of STRATEGIES) {
      const r = search(x, big, { maxStates: 500 }, { strategy, por: false, walks: 100_000 });
      expect([strategy, r.incomplete]).toEqual([strategy, '--max-states 500 reached']);
      expect(r.stats.states).toBeGreaterThanOrEqual(500);
      expect(r.stats.states).toBeLessThan(500 + 2 * 16 * 16);
    }
  });

  it('--max-depth: states at the bound are not expanded, and the result says so', () => {
    const c = compileText(TWO_CLOSES, 'v6.2');
    for (const strategy of ['bfs', 'dfs', 'pb'] as Strategy[]) {
      const r = search(x, c, { maxDepth: 3 }, { strategy, por: false });
      expect([strategy, r.verdict, r.incomplete, r.stats.maxDepth]).toEqual([strategy, 'incomplete', '--max-depth 3 reached', 3]);
    }
    // BFS: exactly the states within 3 steps. The first thread to take file_lock holds it for its next two steps
    // (file_close_fd_locked, unlock), so each depth 1..3 has two states: 1 + 2 + 2 + 2.
    expect(search(x, c, { maxDepth: 3 }, { strategy: 'bfs', por: false, symmetry: false }).stats.states).toBe(7);
    // A bound above the deepest state changes nothing.
    expect(search(x, c, { maxDepth: 14 }, { strategy: 'bfs', por: false }).incomplete).toBeUndefined();
  });

  it('an interrupt (Ctrl-C) ends every strategy after its first batch', () => {
    for (const strategy of STRATEGIES) {
      const r = search(x, big, { interrupted: () => true }, { strategy, walks: 1_000_000 });
      expect([strategy, r.verdict === 'incomplete' || r.verdict === 'violation', r.incomplete]).toEqual([strategy, true, 'interrupted']);
      expect(r.stats.states).toBeGreaterThan(0);
    }
  });

  it('--timeout ends a search that outlasts it', () => {
    const r = search(x, big, { timeoutSeconds: 0.001 }, { strategy: 'bfs', por: false });
    expect(r.incomplete).toBe('--timeout 0.001s reached');
  });

  it('--max-memory: out of memory is a labelled incomplete result', () => {
    // F07 on rfc-v7 needs about 4.4 MiB in full storage (4,969 states since the cleanup loop's states merge into a
    // cycle); collapse storage, the default, needs less than 3 MiB.
    const r = search(x, big, { maxMemoryBytes: 3 * 2 ** 20 }, { strategy: 'bfs', storage: 'full', por: false });
    expect(r.incomplete).toBe('out of memory (--max-memory or the 4 GiB Wasm limit)');
  });
});
