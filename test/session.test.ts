// One pipeline, one set of defaults: every front end searches with the same options unless told otherwise.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../checker/load.ts';
import { nodeSession } from '../checker/session-node.ts';
import { searchDefaults, withSearchDefaults } from '../checker/session.ts';

const SYM = 'test/fixtures/symmetric.fdr';

function json(...args: string[]): { stats: { states: number; transitions: number }; search: { reductions: Record<string, boolean> } } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args, '--json'], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(r.stdout.trim().split('\n')[0]!);
}

describe('Session defaults', () => {
  it('are one set, per strategy', () => {
    expect(searchDefaults()).toEqual({ strategy: 'bfs', storage: 'collapse', por: false, symmetry: true });
    expect(searchDefaults('dfs')).toEqual({ strategy: 'dfs', storage: 'collapse', por: true, symmetry: true });
    expect(withSearchDefaults({ strategy: 'dfs', por: undefined, symmetry: false })).toEqual({
      strategy: 'dfs',
      storage: 'collapse',
      por: true,
      symmetry: false,
    });
  });

  it('fdrace check, fdrace ci and the library give the same search on a scenario where symmetry matters', async () => {
    const check = json('check', SYM);
    const ci = json('ci', SYM);
    const session = nodeSession();
    const s = readScenario(SYM);
    const lib = (await session.check(s, session.resolve('v6.2'), SYM)).result;
    // Two threads closing fd 3 of one process: every state but the initial one has a mirror image.
    expect(check.stats).toMatchObject({ states: 15, transitions: 21 });
    expect(ci.stats).toMatchObject({ states: 15, transitions: 21 });
    expect(lib.stats).toMatchObject({ states: 15, transitions: 21 });
    expect(check.search.reductions).toEqual(ci.search.reductions);
    expect(lib.search?.reductions).toEqual(ci.search.reductions);
    // ... and symmetry is what made the difference.
    expect(json('check', SYM, '--no-symmetry').stats).toMatchObject({ states: 29, transitions: 40 });
  });
});
