// Partitioned workers (checker/search/partition.ts): each worker owns a slice of the visited set in its own memory.
// The verdicts, violated properties, state, transition and terminal counts and the depth must be those of one
// worker, with and without partial-order reduction and symmetry (with sleep sets: the verdicts and properties), on the library and on random scenarios, with 2 and 3 workers; every
// counterexample is a replayable kernel trace of the shortest length. Limits, a failing worker and a dying worker
// end the search with a labelled result or an error, never a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failedProperties } from '../../checker/expected.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { partitionedBfs } from '../../checker/search/partition.ts';
import { parallelSearch } from '../../checker/search/run-parallel.ts';
import type { SearchResult } from '../../checker/search/result.ts';
import { search } from '../../checker/search/run.ts';
import { readScenario } from '../../checker/load.ts';
import { nodeSession } from '../../checker/session-node.ts';
import { scenarioArb } from './gen.ts';
import { TWO_CLOSES, compileText, library, replaysAll } from './util.ts';

const SMALL = 20_000;
const PLAIN: SearchOptions = { strategy: 'bfs', por: false, symmetry: false };
/** Partial-order reduction and symmetry without sleep sets: the counts are exact. */
const REDUCED: SearchOptions = { strategy: 'bfs', por: true, symmetry: true, sleepSets: false };
/** The defaults (sleep sets on): a state reached again with a smaller sleep set before or after its expansion is
 *  explored differently (checker/wasm/bfs.ts, mergeSleep), and which comes first depends on the order states of one
 *  level are reached, in one worker as in several: only the verdicts and violated properties must be equal. */
const DEFAULTS: SearchOptions = { strategy: 'bfs' };

function summary(r: SearchResult) {
  const steps = Object.fromEntries(r.violations.map((v) => [`${v.property}.${v.kind}`, v.steps]));
  return {
    verdict: r.verdict,
    incomplete: r.incomplete,
    properties: failedProperties(r),
    states: r.stats.states,
    transitions: r.stats.transitions,
    terminal: r.stats.terminal,
    maxDepth: r.stats.maxDepth,
    ample: r.stats.ampleExpansions,
    full: r.stats.fullExpansions,
    steps,
  };
}

describe('partitioned workers', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();

  it('exact counts on a tiny scenario: two closes (60 states, 100 transitions) on 2 and 3 workers', async () => {
    const c = compileText(TWO_CLOSES, 'v6.2');
    for (const n of [2, 3]) {
      const r = await partitionedBfs(c, {}, { ...PLAIN, storage: 'full' }, n);
      expect([r.verdict, r.stats.states, r.stats.transitions, r.search?.workers]).toEqual(['pass', 60, 100, n]);
    }
  });

  it('match one worker on every scenario x variant of the library (2 workers unreduced and with the defaults, 3 reduced in collapse storage; large ones unreduced)', async () => {
    let compared = 0;
    for (const { file, variant, c } of library()) {
      // Large entries (test time): unreduced on 2 workers only.
      const large = search(x, c, { maxStates: SMALL }, PLAIN).incomplete !== undefined;
      for (const [o, n] of [
        [PLAIN, 2],
        [{ ...REDUCED, storage: 'collapse' }, 3],
        [DEFAULTS, 2],
      ] as const) {
        if (large && o !== PLAIN) continue;
        const one = search(x, c, {}, o);
        const many = await partitionedBfs(c, {}, o, n);
        const where = `${file} [${variant}] ${JSON.stringify(o)} x${n}`;
        if (o === DEFAULTS) expect([where, many.verdict, failedProperties(many)]).toEqual([where, one.verdict, failedProperties(one)]);
        else expect([where, summary(many)]).toEqual([where, summary(one)]);
        replaysAll(xr, c, many);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  }, 600_000);

  it('match one worker on random scenarios (fast-check, 2 and 3 workers, reduced and unreduced)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.constantFrom(2, 3), fc.constantFrom(PLAIN, REDUCED, DEFAULTS), async (g, n, o) => {
        const c = compileText(g.text, g.variant);
        const one = search(x, c, { maxStates: 50_000 }, o);
        fc.pre(one.incomplete === undefined);
        const many = await partitionedBfs(c, {}, o, n);
        if (o === DEFAULTS) expect([many.verdict, failedProperties(many)]).toEqual([one.verdict, failedProperties(one)]);
        else expect(summary(many)).toEqual(summary(one));
        replaysAll(xr, c, many);
      }),
      { numRuns: 200, seed: 20261203 },
    );
  }, 600_000);

  it('collapse storage on bench/medium.fdr: the counts of one worker', async () => {
    const s = readScenario('bench/medium.fdr');
    const session = nodeSession();
    const c = session.compile(s, session.resolve('v6.2'), 'bench/medium.fdr');
    const r = await partitionedBfs(c, {}, { ...PLAIN, storage: 'collapse', collapseSlotsLog2: 11 }, 2);
    expect([r.verdict, r.stats.states, r.stats.transitions, r.stats.maxDepth]).toEqual(['pass', 174_168, 620_285, 75]);
  }, 120_000);

  it('through the Node search entry: the paths of one worker (re-derived), and lock-order edges merged', async () => {
    for (const { c } of library().filter((e) => /F07-|F09-|F20-/.test(e.file))) {
      const one = search(x, c, {}, DEFAULTS);
      const many = await parallelSearch(c, {}, { ...DEFAULTS, partition: true }, 2, c.scenario.name);
      const paths = (r: SearchResult) => Object.fromEntries(r.violations.map((v) => [`${v.property}.${v.kind}`, v.path]));
      expect(paths(many)).toEqual(paths(one));
    }
  }, 120_000);

  it('limits: --max-states and an interrupt give a labelled incomplete result', async () => {
    const big = library().find((e) => e.file.endsWith('F07-replace-vs-add.fdr') && e.variant === 'rfc-v7')!.c;
    const r = await partitionedBfs(big, { maxStates: 1000 }, PLAIN, 2);
    expect([r.verdict === 'incomplete' || r.violations.length > 0, r.incomplete]).toEqual([true, '--max-states 1000 reached']);
    const i = await partitionedBfs(big, { interrupted: () => true }, PLAIN, 2);
    expect(i.incomplete).toBe('interrupted');
    const t = await partitionedBfs(big, { maxMemoryBytes: 1 << 20 }, PLAIN, 2).catch((e: Error) => e);
    expect(t instanceof Error ? t.message : t.incomplete).toMatch(/out of memory/);
  }, 120_000);

  it('a worker that dies ends the search with an error, not a hang; the pool recovers', async () => {
    const s = readScenario('bench/medium.fdr');
    const session = nodeSession();
    const c = session.compile(s, session.resolve('v6.2'), 'bench/medium.fdr');
    const failed = await partitionedBfs(c, {}, PLAIN, 2, 'medium', {
      onStart: (threads) => setTimeout(() => void threads[1]!.terminate(), 300),
    }).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/partitioned worker 1 ended/);
    const again = await partitionedBfs(compileText(TWO_CLOSES, 'v6.2'), {}, PLAIN, 2);
    expect(again.stats.states).toBe(60);
  }, 120_000);

  it('rejects what it cannot do: fingerprint storage, one worker', async () => {
    const c = compileText(TWO_CLOSES, 'v6.2');
    await expect(partitionedBfs(c, {}, { ...PLAIN, storage: 'fingerprint' }, 2)).rejects.toThrow(/not supported/);
    await expect(partitionedBfs(c, {}, PLAIN, 1)).rejects.toThrow(/between 2 and 16/);
  });
});
