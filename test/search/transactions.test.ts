// Transaction (Lipton) reduction (checker/wasm/transaction.ts, docs/search.md): exact counts on a scenario small
// enough to count by hand, deadlocks kept at nested acquisitions, counterexamples re-expanded into every kernel
// step, and --check-movers catching a classification that is wrong on purpose. Verdict equivalence over the
// library and random scenarios is in equivalence.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { search } from '../../checker/search/run.ts';
import { parsePath } from '../../checker/search/result.ts';
import { replay } from '../../checker/trace/replay.ts';
import { scenarioArb } from './gen.ts';
import { CLOSE_VS_DUP, PLAIN, TWO_CLOSES, TX, compileText, library, outcome, replaysAll } from './util.ts';

describe('transaction reduction', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();

  it('stores fewer states on two closes of one table, with the same verdict and terminal states', () => {
    const c = compileText(TWO_CLOSES, 'v6.2');
    const plain = search(x, c, {}, PLAIN);
    const tx = search(x, c, {}, TX);
    expect([plain.stats.states, plain.stats.transitions]).toEqual([60, 100]);
    // Each close is 4 transactions: [CloseLock (right), CloseFileCloseFdLocked (non-mover), CloseUnlock (left),
    // FilpFlush (both-mover: the closer now holds the slot's reference, so the liveness check and the "count is 0"
    // test are protected reads, model/lockset.ts)], Fput, FputEventpollRelease, FputReleaseFree (each a non-mover:
    // the other thread's table holds the file, so its bound meets them). file_lock is never held at a boundary, so
    // no move blocks: a 5 x 5 grid (6 x 6 before the lockset discipline, when FilpFlush was a non-mover).
    expect([tx.stats.states, tx.stats.transitions, tx.stats.terminal]).toEqual([25, 40, 1]);
    expect(tx.verdict).toBe('pass');
    expect(tx.search?.reductions.transactions).toBe(true);
    // Every mover of this run commutes with the other thread's steps.
    expect(search(x, c, {}, { ...TX, checkMovers: true }).stats.states).toBe(tx.stats.states);
  });

  it('keeps the ABBA deadlock: a thread holding ep->mtx stops before taking the nested one', () => {
    const { c } = library().find((l) => l.file.includes('ctl-del-abba') && l.variant === 'v6.2~ctl-del-nested-fix')!;
    const tx = search(x, c, {}, TX);
    expect(tx.verdict).toBe('deadlock');
    expect(tx.violations.map((v) => v.property)).toEqual(['deadlock']);
    // Re-expanded into kernel steps: the unreduced shortest path has 14, T1 and T2 each up to their second mutex.
    expect(tx.violations[0]!.steps).toBe(parsePath(tx.violations[0]!.path, 2).length);
    expect(tx.violations[0]!.steps).toBeGreaterThanOrEqual(14);
    replaysAll(xr, c, tx);
  });

  it('reports every counterexample as kernel steps that replay on the unreduced kernel, never shorter than BFS', () => {
    let checked = 0;
    for (const { file, variant, c } of library()) {
      const plain = search(x, c, { maxStates: 5_000 }, PLAIN);
      if (plain.incomplete || plain.violations.length === 0) continue;
      for (const o of [TX, { ...TX, strategy: 'dfs', por: true, symmetry: true } as const]) {
        const tx = search(x, c, {}, o);
        expect([file, variant, tx.verdict]).toEqual([file, variant, plain.verdict]);
        for (const v of tx.violations) {
          if (!v.path) continue;
          const moves = parsePath(v.path, c.ix.threadNames.length);
          expect(moves.length).toBe(v.steps);
          const shortest = plain.violations.find((p) => p.qualified === v.qualified);
          if (o.strategy === 'bfs' && shortest?.path) expect(v.steps).toBeGreaterThanOrEqual(shortest.steps);
          checked++;
        }
        replaysAll(xr, c, tx);
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('--check-movers reports a wrong classification as a model bug', () => {
    // Every step a both-mover: T1 empties fd 3 under file_lock while T2's fget reads it without the lock.
    const c = compileText(CLOSE_VS_DUP, 'v6.2');
    expect(() => search(x, c, {}, { ...TX, checkMovers: true, naiveMovers: true })).toThrow(
      /^model bug: thread \d's step \w+ was classified as a both-mover but does not commute with thread \d's step \w+: /,
    );
    // Unchecked, the same wrong classification silently drops interleavings; the right one does not.
    const right = search(x, c, {}, { ...TX, checkMovers: true });
    expect(search(x, c, {}, { ...TX, naiveMovers: true }).stats.states).toBeLessThan(right.stats.states);
    expect(right.stats.states).toBeLessThan(search(x, c, {}, PLAIN).stats.states);
  });

  it('replays a path of transactions into the same kernel steps from the command line', () => {
    const c = compileText(TWO_CLOSES, 'v6.2');
    const tx = search(x, c, {}, { ...TX, strategy: 'dfs' });
    expect(tx.verdict).toBe('pass');
    const tr = replay(xr, c, parsePath('0*7.1*7', 2), c.scenario.name);
    expect(tr.steps.length).toBe(14);
  });

  it('finds no wrong mover classification on random scenarios, and keeps their verdicts (fast-check)', () => {
    fc.assert(
      fc.property(scenarioArb(), (g) => {
        const c = compileText(g.text, g.variant);
        const plain = outcome(x, c, PLAIN, 50_000);
        fc.pre(plain.result.incomplete === undefined);
        const tx = outcome(x, c, { ...TX, checkMovers: true });
        expect([g.text, tx.verdict, tx.properties, tx.terminals]).toEqual([g.text, plain.verdict, plain.properties, plain.terminals]);
        expect(tx.states).toBeLessThanOrEqual(plain.states);
      }),
      { numRuns: 200, seed: 20261203 },
    );
  });
});
