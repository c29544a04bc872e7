// Exact counts for every strategy and storage on tiny scenarios, against an independent reference explorer
// (reference.ts: TypeScript, one kStep at a time) and, where short enough, numbers derived by hand.
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { search } from '../../checker/search/run.ts';
import { explore } from './reference.ts';
import { compileText, TWO_CLOSES } from './util.ts';

// Two interchangeable threads (same process, same operation) on a shared file: symmetric.
const TWINS = `scenario twins
file X socket
process P
  fd 3 = X
  fd 4 = X
thread A in P
  fget(3)
  fput()
thread B in P
  fget(3)
  fput()
variants v6.2
result v6.2 pass
`;

describe('every strategy and storage agrees with the reference explorer', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();

  it('two closes of different files in one table: 60 states, 100 transitions (derived in kernel-counts)', () => {
    const c = compileText(TWO_CLOSES, 'v6.2');
    const ref = explore(xr, c);
    expect(ref).toMatchObject({ states: 60, transitions: 100, terminal: 1, maxDepth: 14 });
    for (const storage of ['full', 'collapse', 'fingerprint', 'bitstate'] as const) {
      for (const strategy of ['bfs', 'dfs'] as const) {
        const r = search(x, c, {}, { strategy, storage, por: false, symmetry: false });
        expect([storage, strategy, r.stats.states, r.stats.transitions, r.stats.terminal]).toEqual([storage, strategy, 60, 100, 1]);
        expect(r.verdict).toBe('pass');
      }
    }
    const pb = search(x, c, {}, { strategy: 'pb' });
    expect(pb.stats.states).toBe(ref.pairs);
    expect(pb.verdict).toBe('pass');
  });

  it('BFS depth is exact, DFS explores the same states, pb counts (state, last thread) pairs', () => {
    const c = compileText(TWINS, 'v6.2');
    const ref = explore(xr, c);
    const bfs = search(x, c, {}, { strategy: 'bfs', por: false, symmetry: false });
    expect(bfs.stats).toMatchObject({ states: ref.states, transitions: ref.transitions, terminal: ref.terminal, maxDepth: ref.maxDepth });
    const dfs = search(x, c, {}, { strategy: 'dfs', por: false, symmetry: false });
    expect(dfs.stats).toMatchObject({ states: ref.states, transitions: ref.transitions, terminal: ref.terminal });
    const pb = search(x, c, {}, { strategy: 'pb' });
    expect(pb.stats.states).toBe(ref.pairs);
  });

  it('symmetry stores exactly one state per orbit of interchangeable threads', () => {
    const c = compileText(TWINS, 'v6.2');
    const ref = explore(xr, c);
    expect(ref.orbits).toBeLessThan(ref.states);
    for (const strategy of ['bfs', 'dfs'] as const) {
      for (const storage of ['full', 'collapse', 'fingerprint'] as const) {
        const r = search(x, c, {}, { strategy, storage, por: false, symmetry: true });
        expect(r.search?.reductions.symmetry).toBe(true);
        expect([strategy, storage, r.stats.states]).toEqual([strategy, storage, ref.orbits]);
      }
    }
  });

  it('a violation is found by every strategy, with a replayable path', () => {
    const c = compileText(
      TWO_CLOSES.replace('variants v6.2', 'expect both: never X.state == freed && Y.state == freed\nvariants v6.2').replace(
        'result v6.2 pass',
        'result v6.2 violation(both)',
      ),
      'v6.2',
    );
    for (const strategy of ['bfs', 'dfs', 'pb', 'random'] as const) {
      const r = search(x, c, {}, { strategy, walks: 50 });
      expect([strategy, r.verdict, r.violations.map((v) => v.property)]).toEqual([strategy, 'violation', ['both']]);
      expect(r.violations[0]!.steps).toBe(14); // both closes complete: 7 steps each, whatever the order
    }
  });
});
