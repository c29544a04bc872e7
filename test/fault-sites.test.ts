// Per-site fault budgets (`option faults SITE:N`). One EPOLL_CTL_ADD of an unwatched socket reaches three
// allocations in order: the epitem (ep_insert, 6th step), the file's epitems_head (attach_epitem, 7th step) and
// the poll-queue entry (ep_ptable_queue_proc, 12th step). Without faults the run is a line of 14 steps (15
// states, 1 terminal).
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../checker/scenario/parse.ts';
import type { ScenarioError } from '../checker/scenario/types.ts';
import { checkVariantSpec } from '../checker/variants.ts';
import { check } from './util/run.ts';

const ADD = (option: string) => `scenario f
file X socket
epoll E
process P
  fd 3 = X
  fd 4 = E
thread T in P
  epoll_ctl(4, ADD, 3, IN)
expect ok: at end T.op[1].ret == 0
${option}
variants v6.2
result v6.2 pass
`;

async function run(option: string) {
  const r = await check(ADD(option), 'v6.2');
  return { states: r.stats.states, terminal: r.stats.terminal, paths: r.violations.map((v) => v.path) };
}

describe('option faults SITE:N', () => {
  it('fails only the listed sites', async () => {
    expect(await run('')).toEqual({ states: 15, terminal: 1, paths: [] });
    expect(await run('option faults ep_insert:0')).toEqual({ states: 15, terminal: 1, paths: [] });
    // The epitem allocation fails: 3 more states (the failing step, the unlock, the return).
    expect(await run('option faults ep_insert:1')).toEqual({ states: 18, terminal: 2, paths: ['0*5.0!.0.0'] });
    expect(await run('option faults attach_epitem:1')).toEqual({ states: 18, terminal: 2, paths: ['0*6.0!.0.0'] });
    expect(await run('option faults ep_ptable_queue_proc:1')).toEqual({ states: 25, terminal: 2, paths: ['0*11.0!.0*9'] }); // its ep_remove is one step longer since the f_ep publish split
    // Both sites: two failing branches whose fault counters differ (mixed radix), so they do not merge.
    expect(await run('option faults ep_insert:1 attach_epitem:1')).toEqual({ states: 21, terminal: 3, paths: ['0*5.0!.0.0'] });
    // The global count lets every site fail; the ep_insert and attach_epitem branches end in states of the
    // ep_ptable_queue_proc branch (same fault count, frames cleared).
    expect(await run('option faults 1')).toEqual({ states: 25, terminal: 2, paths: ['0*5.0!.0.0'] });
  });

  it('rejects unknown sites and budgets that do not fit', () => {
    const error = (option: string): string => {
      try {
        parseScenario(ADD(option), 'f.fdr', { variants: checkVariantSpec });
      } catch (e) {
        return (e as ScenarioError).format();
      }
      return 'no error';
    };
    expect(error('option faults alloc_fdd:1')).toBe(
      "f.fdr:10:15: error: unknown fault site 'alloc_fdd' (sites: expand_fdtable, ep_alloc, anon_inode_getfile, ep_insert, attach_epitem, ep_ptable_queue_proc)",
    );
    expect(error('option faults ep_insert:1 ep_insert:2')).toBe("f.fdr:10:27: error: fault site 'ep_insert' is given twice");
    expect(error('option faults ep_insert:8 attach_epitem:8 ep_alloc:8')).toBe(
      'f.fdr:10:15: error: per-site fault budgets too large: the product of (budget + 1) over the sites is 729, at most 256',
    );
    expect(error('option faults ep_insert 1')).toBe("f.fdr:10:25: error: expected ':' after the fault site 'ep_insert', found '1'");
    expect(parseScenario(ADD('option faults 2 ep_insert:1'), 'f.fdr', { variants: checkVariantSpec }).options).toEqual({
      faults: 2,
      maxUserWatches: 64,
      faultSites: { ep_insert: 1 },
    });
  });
});
