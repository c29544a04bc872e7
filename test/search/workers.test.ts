// Two workers on one shared memory give the verdicts, state and transition counts of one worker, and (without
// reduction) counterexamples of the same, shortest, length.
import { describe, expect, it } from 'vitest';
import { failedProperties } from '../../checker/expected.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { parallelBfs } from '../../checker/search/parallel.ts';
import { search } from '../../checker/search/run.ts';
import { readScenario } from '../../checker/load.ts';
import { nodeSession } from '../../checker/session-node.ts';
import { library, replaysAll } from './util.ts';

describe('parallel BFS', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();
  const lib = library().filter((e) => /F07-|F14-|F20-/.test(e.file));

  it('matches one worker in every storage', async () => {
    for (const { c, file, variant } of lib) {
      for (const storage of ['full', 'collapse', 'fingerprint'] as const) {
        const one = search(x, c, {}, { strategy: 'bfs', storage, por: false, symmetry: false });
        const two = await parallelBfs(c, {}, { strategy: 'bfs', storage, por: false, symmetry: false }, 2);
        const where = `${file} [${variant}] ${storage}`;
        expect([where, two.verdict, failedProperties(two), two.stats.states, two.stats.transitions, two.stats.maxDepth]).toEqual([
          where,
          one.verdict,
          failedProperties(one),
          one.stats.states,
          one.stats.transitions,
          one.stats.maxDepth,
        ]);
        const steps = (r: typeof one) => Object.fromEntries(r.violations.map((v) => [v.property, v.steps]));
        expect(steps(two)).toEqual(steps(one));
        replaysAll(xr, c, two);
      }
    }
  }, 180_000);

  it("nested epolls: the cycle and path-limit checks run on each worker's own scratch, with the counts of one worker", async () => {
    // Workers judge states at the same time: the epoll-cycle matrix, the holders count and reverse_path_check's
    // path counts are per instance (before, the first two were serialised under one lock and the last was shared).
    const nested = library().filter((e) => /F04-|cve-2011-1083|epoll-cycle-22bacca48a17|loop-depth-overflow/.test(e.file));
    expect(nested.length).toBeGreaterThanOrEqual(4);
    for (const { c, file, variant } of nested) {
      const o = { strategy: 'bfs', storage: 'full', por: false, symmetry: false } as const;
      const one = search(x, c, {}, o);
      const two = await parallelBfs(c, {}, o, 2);
      const where = `${file} [${variant}]`;
      expect([where, two.verdict, failedProperties(two), two.stats.states, two.stats.transitions]).toEqual([
        where,
        one.verdict,
        failedProperties(one),
        one.stats.states,
        one.stats.transitions,
      ]);
    }
  }, 180_000);

  it('collapse storage on bench/medium.fdr: the counts of one worker, component tables grown between batches', async () => {
    const s = readScenario('bench/medium.fdr');
    const session = nodeSession();
    const c = session.compile(s, session.resolve('v6.2'), 'bench/medium.fdr');
    const o = { strategy: 'bfs', storage: 'collapse', por: false, symmetry: false, collapseSlotsLog2: 11 } as const;
    const two = await parallelBfs(c, {}, o, 2);
    expect([two.verdict, two.stats.states, two.stats.transitions, two.stats.maxDepth]).toEqual(['pass', 174_168, 620_285, 75]);
  });

  it('with reduction: the same verdicts', async () => {
    for (const { c } of lib) {
      const one = search(x, c, {}, { strategy: 'bfs', por: false, symmetry: false });
      const two = await parallelBfs(c, {}, { strategy: 'bfs', por: true, symmetry: true }, 2);
      expect([two.verdict, failedProperties(two)]).toEqual([one.verdict, failedProperties(one)]);
    }
  });

  it('limits stop the workers: --max-states, interrupt', async () => {
    const big = library().find((e) => e.file.endsWith('F07-replace-vs-add.fdr') && e.variant === 'rfc-v7')!.c;
    const r = await parallelBfs(big, { maxStates: 1000 }, { por: false }, 2);
    expect(r.incomplete).toBe('--max-states 1000 reached');
    expect(r.stats.states).toBeLessThan(1000 + 2 * 16 * 16 * 2);
    const i = await parallelBfs(big, { interrupted: () => true }, { por: false }, 2);
    expect(i.incomplete).toBe('interrupted');
  });
});
