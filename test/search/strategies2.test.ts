// Strategy-specific guarantees: seeded walks are reproducible one by one; preemption-bounded search reports the
// fewest preemptions; bitstate says what it may have missed; fingerprints print their collision estimate.
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { expectedOmissions } from '../../checker/search/collect.ts';
import { search } from '../../checker/search/run.ts';
import { TWO_CLOSES, compileText } from './util.ts';

// Both slots are empty while neither file was put yet: T1 must be preempted between its unlock and its
// filp_close (one preemption); without preemption T1 finishes (X.ref 0) before T2 starts.
const ONE_PREEMPTION = TWO_CLOSES.replace(
  'variants v6.2\nresult v6.2 pass',
  'expect both_open: never P.fd[3] == none && P.fd[4] == none && X.ref == 1 && Y.ref == 1\nvariants v6.2\nresult v6.2 violation(both_open)',
);

describe('strategies', async () => {
  const x = await loadKernel();
  const c = compileText(ONE_PREEMPTION, 'v6.2');

  it('pb: nothing with 0 preemptions, found with 1, and the report says 1', () => {
    const r0 = search(x, c, {}, { strategy: 'pb', maxPreemptions: 0 });
    expect(r0.verdict).toBe('incomplete');
    expect(r0.incomplete).toMatch(/^--max-preemptions 0: interleavings with more preemptions were not explored/);
    const r1 = search(x, c, {}, { strategy: 'pb', maxPreemptions: 1 });
    expect(r1.verdict).toBe('violation');
    expect(r1.violations.map((v) => [v.property, v.preemptions])).toEqual([['both_open', 1]]);
    const all = search(x, c, {}, { strategy: 'pb' });
    expect(all.violations[0]!.preemptions).toBe(1);
    expect(all.incomplete).toBeUndefined();
  });

  it('random: walk i of seed S is walk 0 of seed S+i, path for path', () => {
    const swarm = search(x, c, {}, { strategy: 'random', seed: 1000, walks: 200 });
    expect(swarm.verdict).toBe('violation');
    const v = swarm.violations[0]!;
    expect(v.seed).toBeGreaterThanOrEqual(1000);
    const alone = search(x, c, {}, { strategy: 'random', seed: v.seed!, walks: 1 });
    expect(alone.violations.map((w) => [w.path, w.seed])).toEqual([[v.path, v.seed]]);
    // Without a violation a random search is incomplete, never a pass.
    const pass = compileText(ONE_PREEMPTION.replace(/expect.*\n/, '').replace('violation(both_open)', 'pass'), 'v6.2');
    const r = search(x, pass, {}, { strategy: 'random', walks: 20 });
    expect(r.verdict).toBe('incomplete');
    expect(r.incomplete).toBe('random walks are not exhaustive (20 walks of at most 10000 steps)');
    expect(r.stats.walks).toBe(20);
  });

  it('fingerprint and bitstate results say what they are', () => {
    const fp = search(x, c, {}, { strategy: 'bfs', storage: 'fingerprint', por: false });
    expect(fp.search?.storage.mode).toBe('fingerprint');
    expect(fp.search?.storage.collisionProbability).toBeCloseTo(fp.stats.states ** 2 / 2 ** 65, 30);
    const bits = search(x, c, { maxMemoryBytes: 8 * 2 ** 20 }, { strategy: 'bfs', storage: 'bitstate', por: false, hashes: 2 });
    expect(bits.search?.storage).toMatchObject({ mode: 'bitstate', bits: 2 ** 25, hashes: 2, possiblyIncomplete: true });
    expect(bits.stats.states).toBe(fp.stats.states);
  });

  it('expected bitstate omissions grow with load and shrink with more bits', () => {
    expect(expectedOmissions(0, 1024, 3)).toBe(0);
    expect(expectedOmissions(1000, 2 ** 20, 3)).toBeLessThan(1e-3);
    expect(expectedOmissions(1e6, 2 ** 20, 3)).toBeGreaterThan(1e5);
    expect(expectedOmissions(1e5, 2 ** 24, 3)).toBeLessThan(expectedOmissions(1e5, 2 ** 22, 3));
  });
});

describe('one Strategy interface', () => {
  it('every strategy the CLI accepts is a registered SearchStrategy, and the CLI enforces what each declares', async () => {
    const { STRATEGIES } = await import('../../checker/search/strategy.ts');
    const { searchOptions } = await import('../../checker/cli/check.ts');
    expect(Object.keys(STRATEGIES).sort()).toEqual(['bfs', 'dfs', 'pb', 'random']);
    for (const s of Object.values(STRATEGIES)) {
      // Storage defaults to the strategy's first supported mode; other modes are refused, not silently changed.
      expect(searchOptions({ strategy: s.name }).options.storage).toBe(s.storages[0]);
      for (const m of ['full', 'fingerprint', 'bitstate']) {
        const call = () => searchOptions({ strategy: s.name, storage: m });
        if (s.storages.includes(m as never)) expect(call).not.toThrow();
        else expect(call).toThrow(/runs with --storage/);
      }
    }
    expect(() => searchOptions({ strategy: 'bfs', seed: 3 })).toThrow('--seed applies to --strategy random, not bfs');
    expect(() => searchOptions({ strategy: 'random', 'max-preemptions': 3 })).toThrow('--max-preemptions applies to --strategy pb, not random');
    expect(() => searchOptions({ strategy: 'pb', por: true })).toThrow(/without reductions/);
  });
});
