// The loop check's limits (model/routines/loop_limits.ts): the upward depth of ep_loop_check (f2e467a48287), the
// nesting-depth invariant next to the cycle invariant (E9), and reverse_path_check's path limits scaled by
// `option path_limits`. Hand-derived verdicts on tiny scenarios.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../checker/scenario/parse.ts';
import { checkVariantSpec } from '../checker/variants.ts';
import { check } from './util/run.ts';

// Four epolls in a chain E0 -> E1 -> E2 -> E3 -> E4 (4 edges, EP_MAX_NESTS), and T adds E5 under E4. The
// downward walk from E5 finds nothing; only the depth above E4 (4) makes 0 + 1 + 4 > 4: ELOOP on kernels with
// f2e467a48287 (current), a 5-edge chain on the others (v6.2, current-pre-6.16), which the invariant reports.
const CHAIN = `scenario n
epoll E0
epoll E1
epoll E2
epoll E3
epoll E4
epoll E5
process P
  fd 10 = E0
  fd 11 = E1
  fd 12 = E2
  fd 13 = E3
  fd 14 = E4
  fd 15 = E5
watch E0 (E1, 11)
watch E1 (E2, 12)
watch E2 (E3, 13)
watch E3 (E4, 14)
thread T in P
  epoll_ctl(14, ADD, 15, IN)
expect r: at end T.op[1].ret == -ELOOP
variants v6.2 current current-pre-6.16
result v6.2 violation(watchers.nesting-depth, r)
result current pass
result current-pre-6.16 violation(watchers.nesting-depth, r)
`;
// X is watched by E1, and E1 and E2 are both watched by E0. Adding X to E2 makes a second wakeup path of depth 1
// (X -> E2 -> E0 beside X -> E1 -> E0). The kernel allows 500 such paths; with the limit for depth 1 scaled to 1,
// reverse_path_check fails and ep_insert removes the item again: -EINVAL.
const PATHS = `scenario p
file X socket
epoll E0
epoll E1
epoll E2
process P
  fd 3 = X
  fd 10 = E0
  fd 11 = E1
  fd 12 = E2
watch E0 (E1, 11)
watch E0 (E2, 12)
watch E1 (X, 3)
thread T in P
  epoll_ctl(12, ADD, 3, IN)
expect r: at end T.op[1].ret == -EINVAL && !(E2 has (X, 3))
option path-limits 1000 1 100 50 10
variants v6.2 current
result v6.2 pass
result current pass
`;

describe('loop check limits', () => {
  it('the upward depth makes the sixth epoll ELOOP on current; older kernels build a 5-edge chain', async () => {
    for (const variant of ['v6.2', 'current-pre-6.16']) {
      const r = await check(CHAIN, variant);
      expect(r.violations.map((v) => [v.qualified, v.path])).toEqual([
        ['watchers.nesting-depth', '0*17'],
        ['r', '0*22'],
      ]);
      expect(r.stats.states).toBe(23);
    }
    const cur = await check(CHAIN, 'current');
    expect([cur.verdict, cur.stats.states]).toEqual(['pass', 11]);
  });

  it('path_limits scaled down: a second depth-1 path fails with EINVAL', async () => {
    // current has two more states: ep_remove's pin (a6dc643c6931) is one more step of the DEL.
    for (const [variant, states] of [
      ['v6.2', 25],
      ['current', 27],
    ] as const) {
      const r = await check(PATHS, variant);
      expect([r.verdict, r.stats.states]).toEqual(['pass', states]);
    }
    const kernel = await check(PATHS.replace('option path-limits 1000 1 100 50 10\n', ''), 'v6.2');
    expect(kernel.violations.map((v) => v.property)).toEqual(['r']);
  });

  it('parses path_limits and path-limits, five numbers', () => {
    const opts = (line: string) => parseScenario(PATHS.replace('option path-limits 1000 1 100 50 10', line), 'p.fdr', { variants: checkVariantSpec }).options;
    expect(opts('option path_limits 9 8 7 6 5').pathLimits).toEqual([9, 8, 7, 6, 5]);
    expect(opts('option path-limits 1000 500 100 50 10').pathLimits).toEqual([1000, 500, 100, 50, 10]);
    expect(() => opts('option path_limits 1 2 3')).toThrow(
      /expected the path limit for depth 3 \(5 numbers, the kernel's are 1000 500 100 50 10\), found end of line/,
    );
  });
});
