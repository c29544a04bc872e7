// Storage never changes what a search computes. Collapse storage (states as vectors of interned component ids,
// checker/wasm/collapse.ts) against full storage (whole states): over the whole library and over random
// scenarios, breadth- and depth-first, with and without reductions, the same verdict, violated properties,
// exact state, transition and terminal counts, depth, and the very same counterexample paths.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Compiled } from '../../checker/compile/config.ts';
import { failedProperties } from '../../checker/expected.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { readScenario } from '../../checker/load.ts';
import type { SearchOptions } from '../../checker/search/options.ts';
import { search } from '../../checker/search/run.ts';
import { nodeSession } from '../../checker/session-node.ts';
import { scenarioArb } from './gen.ts';
import { compileText, library, replaysAll, terminalSet } from './util.ts';

const CONFIGS: Record<string, SearchOptions> = {
  bfs: { strategy: 'bfs', por: false, symmetry: false },
  'bfs por+sleep+symmetry': { strategy: 'bfs', por: true, symmetry: true },
  'dfs por+sleep+symmetry': { strategy: 'dfs', por: true, symmetry: true },
  dfs: { strategy: 'dfs', por: false, symmetry: false },
};
const SMALL = 30_000;

function fingerprint(x: FdraceExports, c: Compiled, o: SearchOptions, maxStates?: number) {
  const r = search(x, c, maxStates ? { maxStates } : {}, { ...o, collectTerminals: 'raw' });
  return {
    verdict: r.verdict,
    incomplete: r.incomplete ?? null,
    properties: failedProperties(r),
    states: r.stats.states,
    transitions: r.stats.transitions,
    terminal: r.stats.terminal,
    maxDepth: r.stats.maxDepth,
    terminals: terminalSet(x),
    paths: r.violations.map((v) => `${v.property}:${v.path}`),
    mode: r.search?.storage.mode,
    result: r,
  };
}

function same(x: FdraceExports, c: Compiled, o: SearchOptions, where: string, maxStates?: number) {
  const full = fingerprint(x, c, { ...o, storage: 'full' }, maxStates);
  const col = fingerprint(x, c, { ...o, storage: 'collapse' }, maxStates);
  expect(full.mode).toBe('full');
  expect(col.mode).toBe('collapse');
  const { result: _a, mode: _b, ...a } = full;
  const { result: _c, mode: _d, ...b } = col;
  expect([where, b]).toEqual([where, a]);
  return col;
}

describe('collapse storage computes what full storage computes', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();

  it('on every scenario x variant of the library, bfs and dfs, with and without reductions', () => {
    let compared = 0;
    for (const { file, variant, c } of library()) {
      const plain = same(x, c, CONFIGS.bfs!, `${file} [${variant}] bfs`);
      replaysAll(xr, c, plain.result);
      compared++;
      if (plain.states > SMALL) continue;
      for (const [name, o] of Object.entries(CONFIGS)) {
        if (name === 'bfs') continue;
        same(x, c, o, `${file} [${variant}] ${name}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('on random scenarios (fast-check)', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.constantFrom(...Object.keys(CONFIGS)), (g, name) => {
        const c = compileText(g.text, g.variant);
        same(x, c, { ...CONFIGS[name]!, collapseSlotsLog2: 4 }, `${name} on\n${g.text}`, 50_000);
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });

  it('bench/medium.fdr: exact counts, few components, under 64 bytes per state; tables that start small grow', () => {
    const session = nodeSession();
    const s = readScenario('bench/medium.fdr');
    const c = session.compile(s, session.resolve('v6.2'), 'bench/medium.fdr');
    const col = same(x, c, CONFIGS.bfs!, 'bench/medium.fdr');
    expect([col.states, col.transitions]).toEqual([174_168, 620_285]);
    const kinds = [0, 1, 2, 3].map((k) => x.eCollapseCount(k) >>> 0);
    // Tables, files, epolls, threads: each far fewer than the states they make up.
    for (const n of kinds) expect(n).toBeLessThan(col.states / 100);
    expect(col.result.stats.bytesPerState!).toBeLessThan(64);
    // From 16 slots every kind's table grows many times during the search.
    const small = fingerprint(x, c, { ...CONFIGS.bfs!, storage: 'collapse', collapseSlotsLog2: 4 });
    expect([small.states, small.transitions, small.terminals, small.maxDepth]).toEqual([col.states, col.transitions, col.terminals, col.maxDepth]);
    expect([0, 1, 2, 3].map((k) => x.eCollapseCount(k) >>> 0)).toEqual(kinds);
  });

  it('a maximum-states stop and a lookup-only encoding (dfs stack proviso) behave as in full storage', () => {
    const big = library().find((e) => e.file.endsWith('F07-replace-vs-add.fdr') && e.variant === 'rfc-v7')!;
    same(x, big.c, CONFIGS.bfs!, 'F07 rfc-v7 limited', 1000);
    same(x, big.c, CONFIGS['dfs por+sleep+symmetry']!, 'F07 rfc-v7 dfs', 20_000);
  });
});
