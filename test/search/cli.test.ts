// fdrace check: every option documented in --help; the search options validated; results labelled.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CHECK_OPTIONS } from '../../checker/cli/check.ts';

function fdrace(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const F07 = 'scenarios/F07-replace-vs-add.fdr';

describe('fdrace check search options', () => {
  it('--help documents every option', () => {
    const r = fdrace('check', '--help');
    expect(r.code).toBe(0);
    for (const name of Object.keys(CHECK_OPTIONS)) expect(r.out).toContain(`--${name}`);
    for (const word of ['bfs', 'dfs', 'random', 'pb', 'full', 'fingerprint', 'bitstate']) expect(r.out).toContain(word);
  });

  it('rejects what cannot work, with exit 2', () => {
    expect(fdrace('check', F07, '--strategy', 'astar').code).toBe(2);
    expect(fdrace('check', F07, '--storage', 'disk').code).toBe(2);
    expect(fdrace('check', F07, '--workers', '2', '--strategy', 'dfs').code).toBe(2);
    expect(fdrace('check', F07, '--seed', '3').code).toBe(2);
    expect(fdrace('check', F07, '--por', '--no-por').code).toBe(2);
    expect(fdrace('check', F07, '--hashes', '2').code).toBe(2);
    expect(fdrace('check', F07, '--strategy', 'pb', '--storage', 'fingerprint').code).toBe(2);
    expect(fdrace('check', F07, '--reduction', 'lipton').code).toBe(2);
    expect(fdrace('check', F07, '--check-movers').code).toBe(2);
    expect(fdrace('check', F07, '--strategy', 'random', '--reduction', 'transaction').code).toBe(2);
  });

  it('--reduction transaction: labelled, same verdict, counterexamples in kernel steps', () => {
    const plain = JSON.parse(fdrace('check', F07, '--variant', 'rfc-v4', '--json').out.trim());
    const r = fdrace('check', F07, '--variant', 'rfc-v4', '--json', '--reduction', 'transaction', '--check-movers');
    const j = JSON.parse(r.out.trim());
    expect(j.search.reductions).toMatchObject({ transactions: true, por: false });
    expect(j.verdict).toBe(plain.verdict);
    expect(j.stats.states).toBeLessThan(plain.stats.states);
    for (const v of j.violations) if (v.path) expect(v.path.split('.').reduce((n: number, p: string) => n + Number(p.split('*')[1] ?? 1), 0)).toBe(v.steps);
    expect(fdrace('check', F07, '--variant', 'rfc-v4', '--no-trace', '--reduction', 'transaction').out).toContain('reductions: transactions');
  });

  it('labels storage, strategy and reductions in the summary and the JSON', () => {
    const r = fdrace('check', F07, '--variant', 'v6.2', '--storage', 'fingerprint', '--strategy', 'dfs', '--json');
    expect(r.code).toBe(10);
    const j = JSON.parse(r.out.trim());
    expect(j.search).toMatchObject({ strategy: 'dfs', storage: { mode: 'fingerprint' }, reductions: { por: true }, workers: 1 });
    expect(j.search.storage.collisionProbability).toBeGreaterThan(0);
    const t = fdrace('check', F07, '--variant', 'v6.2', '--storage', 'bitstate', '--no-trace');
    expect(t.out).toMatch(/bitstate: POSSIBLY INCOMPLETE \(not a proof\): 2\^29 bits, 3 hashes/);
  });

  it('random walks without a violation are incomplete (exit 12); with one, the seed is printed', () => {
    const pass = fdrace('check', 'scenarios/F12-release-vs-epoll-close.fdr', '--variant', 'v6.2', '--strategy', 'random', '--walks', '30', '--json');
    expect(pass.code).toBe(12);
    expect(JSON.parse(pass.out.trim())).toMatchObject({
      verdict: 'incomplete',
      incomplete: 'random walks are not exhaustive (30 walks of at most 10000 steps)',
    });
    const found = fdrace('check', F07, '--variant', 'v6.2', '--strategy', 'random', '--seed', '7', '--walks', '50', '--no-trace');
    expect(found.code).toBe(10);
    expect(found.out).toMatch(/follows: .*seed \d+\]/);
  });

  it('two workers print the same verdict and counts as one', () => {
    const one = JSON.parse(fdrace('check', F07, '--variant', 'rfc-v4', '--json').out.trim());
    const two = JSON.parse(fdrace('check', F07, '--variant', 'rfc-v4', '--json', '--workers', '2').out.trim());
    expect([two.verdict, two.stats.states, two.stats.transitions, two.search.workers]).toEqual([one.verdict, one.stats.states, one.stats.transitions, 2]);
  });
});
