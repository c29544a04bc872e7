// Dynamic partial-order reduction of dfs (checker/wasm/dpor.ts, docs/search.md "DPOR"): exact counts on scenarios
// small enough to reason about, verdicts / violated properties / terminal states equal to the unreduced search on
// the library and on random scenarios, counterexamples that replay, and the usage errors of the combinations it
// does not support.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { searchOptions } from '../../checker/cli/check.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { search } from '../../checker/search/run.ts';
import { scenarioArb } from './gen.ts';
import { CLOSE_VS_DUP, compileText, library, outcome, replaysAll, terminalSet } from './util.ts';

// Two dups in two processes on two files: nothing shared, so every interleaving is one Mazurkiewicz trace.
const INDEPENDENT = `scenario t
file X socket
file Y socket
process P
  fd 3 = X
process Q
  fd 3 = Y
thread T1 in P
  dup(3)
thread T2 in Q
  dup(3)
variants v6.2
result v6.2 pass
`;

const PLAIN: SearchOptions = { strategy: 'bfs', por: false, symmetry: false };
const STATELESS: SearchOptions = { strategy: 'dfs', dpor: 'stateless' };
const STATEFUL: SearchOptions = { strategy: 'dfs', dpor: 'stateful' };

describe('DPOR', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();

  it('explores one trace of two independent threads (7 steps each: 64 states unreduced)', () => {
    const c = compileText(INDEPENDENT, 'v6.2');
    expect(search(x, c, {}, PLAIN).stats.states).toBe(64);
    for (const o of [STATELESS, STATEFUL]) {
      const r = search(x, c, {}, o);
      expect([r.verdict, r.stats.states, r.stats.transitions, r.stats.terminal]).toEqual(['pass', 15, 14, 1]);
      expect(r.search?.reductions.dpor).toMatchObject({ traces: 1, races: 0, cuts: 0 });
      expect(r.search?.reductions.symmetry).toBe(false);
    }
  });

  it('explores both orders of a close and a dup of one slot, and reaches both terminal states', () => {
    const c = compileText(CLOSE_VS_DUP, 'v6.2');
    const plain = search(x, c, {}, { ...PLAIN, collectTerminals: 'raw' });
    const want = terminalSet(x);
    expect([plain.stats.states, want.length]).toEqual([74, 2]);
    // Stateless: every path walked again (380 states reached with repetitions); the conservative summaries of the
    // footprint bounds add backtrack points that plain source-DPOR would not (100 paths, not 2).
    const sl = search(x, c, {}, { ...STATELESS, collectTerminals: 'raw' });
    expect(terminalSet(x)).toEqual(want);
    expect([sl.stats.states, sl.search?.reductions.dpor?.traces]).toEqual([380, 100]);
    const sf = search(x, c, {}, { ...STATEFUL, collectTerminals: 'raw' });
    expect(terminalSet(x)).toEqual(want);
    expect([sf.stats.states, sf.stats.transitions]).toEqual([74, 103]);
  });

  it('keeps the verdict, the violated properties and the terminal states of the whole library; counterexamples replay', () => {
    let compared = 0;
    for (const { file, variant, c } of library()) {
      const plain = outcome(x, c, PLAIN, 20_000);
      if (plain.result.incomplete) continue;
      for (const o of [STATEFUL, STATELESS]) {
        const red = outcome(x, c, o, 100_000);
        if (red.result.incomplete) {
          expect(o).toBe(STATELESS); // only the stateless walk may exceed the cap
          continue;
        }
        expect([file, variant, o.dpor, red.verdict, red.properties, red.terminals]).toEqual([
          file,
          variant,
          o.dpor,
          plain.verdict,
          plain.properties,
          plain.terminals,
        ]);
        replaysAll(xr, c, red.result);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('keeps verdicts, violated properties and terminal states on random scenarios (fast-check)', () => {
    fc.assert(
      fc.property(scenarioArb(), (g) => {
        const c = compileText(g.text, g.variant);
        const plain = outcome(x, c, PLAIN, 20_000);
        fc.pre(plain.result.incomplete === undefined);
        for (const o of [STATEFUL, STATELESS]) {
          const red = outcome(x, c, o, 100_000);
          if (red.result.incomplete) continue;
          expect([g.text, o.dpor, red.verdict, red.properties, red.terminals]).toEqual([g.text, o.dpor, plain.verdict, plain.properties, plain.terminals]);
        }
      }),
      { numRuns: 60, seed: 20261203 },
    );
  });

  it('refuses the combinations it does not support, with a usage error', () => {
    const opt = (o: Record<string, unknown>) => () => searchOptions(o);
    expect(opt({ reduction: 'dpor' })).toThrow(/--reduction dpor is a depth-first search: add --strategy dfs \(not bfs\)/);
    expect(opt({ reduction: 'dpor-stateless', strategy: 'random' })).toThrow(/add --strategy dfs \(not random\)/);
    expect(opt({ reduction: 'dpor', strategy: 'dfs', storage: 'fingerprint' })).toThrow(/use --storage full or collapse/);
    expect(opt({ reduction: 'dpor', strategy: 'dfs', 'no-por': true })).toThrow(/replaces the ample sets/);
    expect(opt({ reduction: 'dpor', strategy: 'dfs', symmetry: true })).toThrow(/drop --symmetry/);
    expect(opt({ reduction: 'dpor', strategy: 'dfs', workers: 2 })).toThrow(/needs --strategy bfs/);
    expect(opt({ reduction: 'dporx', strategy: 'dfs' })).toThrow(/known: transaction, dpor, dpor-stateless, none/);
    expect(searchOptions({ reduction: 'dpor-stateless', strategy: 'dfs', storage: 'fingerprint' }).options.dpor).toBe('stateless');
    expect(searchOptions({ reduction: 'dpor', strategy: 'dfs' }).options).toMatchObject({ dpor: 'stateful', strategy: 'dfs' });
  });
});
