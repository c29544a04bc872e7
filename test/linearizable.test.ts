// check linearizable (checker/props/linearizable.ts): hand-derived verdicts on two-thread scenarios.
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../checker/props/linearizable.ts';
import { nodeSession } from '../checker/session-node.ts';
import { check, compileText } from './util/run.ts';

// fd 3 (OLD) is replaced by NEW while another thread deletes fd 3's registration in E.
//   Sequentially, replace then DEL: v6.2 leaves (OLD, 3) registered, and DEL looks up (NEW, 3): -ENOENT;
//   the RFC moved the registration to (NEW, 3), which DEL removes: 0. DEL then replace: DEL removes (OLD, 3),
//   0, and nothing is left to move. So v6.2 has two sequential outcomes, RFC v7 one (DEL returns 0, E empty).
//   Concurrently, RFC v7's DEL can take OLD with fget before the replacement and look up (OLD, 3) after the
//   move: -ENOENT, and (NEW, 3) stays: no sequential order gives that.
const REPLACE_VS_DEL = `scenario l
file OLD socket
file NEW socket
epoll E
process P
  fd 3 = OLD
  fd 4 = OLD
  fd 5 = E
process S
  fd 3 = NEW
watch E (OLD, 3) IN data=3
thread T in P
  replace(3, NEW)
thread T2 in P
  epoll_ctl(5, DEL, 3)
check linearizable
variants v6.2 rfc-v7
result v6.2 pass
result rfc-v7 violation(linearizable, check-list)
`;

// close(3) and dup(4) on a table with fds 0..4: dup takes the lowest free fd, 3 if close already freed it, else 5.
// Both orders are sequential outcomes and every interleaving gives one of them (file_lock serialises them).
const CLOSE_VS_DUP = `scenario d
file X socket
process P
  fd 0..4 = X
thread T1 in P
  close(3)
thread T2 in P
  dup(4)
check linearizable
variants v6.2
result v6.2 pass
`;

describe('check linearizable', () => {
  it('passes when every interleaving gives a sequential outcome', async () => {
    const r = await check(CLOSE_VS_DUP, 'v6.2');
    expect(r.verdict).toBe('pass');
    const x = await nodeSession().replayInstance();
    const res = checkLinearizable(x, compileText(CLOSE_VS_DUP, 'v6.2'));
    expect(res.finding).toBeNull();
    expect(res.sequentialOutcomes).toBe(2);
    const v62 = checkLinearizable(x, compileText(REPLACE_VS_DEL, 'v6.2'));
    expect([v62.finding, v62.sequentialOutcomes]).toEqual([null, 2]);
  });

  it('reports a return value no sequential order gives, with the nearest sequential outcome', async () => {
    const r = await check(REPLACE_VS_DEL, 'rfc-v7');
    expect(r.verdict).toBe('violation');
    const v = r.violations.find((x) => x.property === 'linearizable')!;
    expect(v.qualified).toBe('linearizable.outcome');
    expect(v.linearizability?.nearest).toEqual({
      order: ['T.op[1]', 'T2.op[1]'],
      differences: [
        { field: 'E (NEW, 3)', concurrent: 'IN|ERR|HUP data=3', sequential: 'none' },
        { field: 'T2.op[1].ret', concurrent: '-2', sequential: '0' },
      ],
    });
    expect(v.message).toContain('T2.op[1].ret: -2 (sequential: 0)');
    const x = await nodeSession().replayInstance();
    expect(checkLinearizable(x, compileText(REPLACE_VS_DEL, 'rfc-v7')).sequentialOutcomes).toBe(1);
  });

  it('respects real-time order: an op that returned before another began stays first', async () => {
    // T1 closes fd 3 and then signals by finishing; T2 dups fd 4 twice. If T2's first dup returns before T1's
    // close begins, that dup got 5; an order with the close first would give it 3. The checker must not match
    // a concurrent "dup -> 5, close, dup -> 3" run against the order close, dup, dup (dup -> 3, then 5).
    const text = `scenario rt
file X socket
process P
  fd 0..4 = X
thread T1 in P
  close(3)
thread T2 in P
  dup(4)
  dup(4)
check linearizable
variants v6.2
result v6.2 pass
`;
    expect((await check(text, 'v6.2')).verdict).toBe('pass');
    // Orders: close, dup, dup (3, 5); dup, close, dup (5, 3); dup, dup, close (5, 6).
    const x = await nodeSession().replayInstance();
    expect(checkLinearizable(x, compileText(text, 'v6.2')).sequentialOutcomes).toBe(3);
  });
});

describe('real-time order', () => {
  it('an order respects the precedences exactly when every precedent comes first (property)', async () => {
    const fc = (await import('fast-check')).default;
    const { respects } = await import('../checker/props/linearizable.ts');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 6 }),
        (order, pairs) => {
          const prec = pairs.filter(([a, b]) => a < order.length && b < order.length && a !== b).map(([a, b]) => [order[a]!, order[b]!] as [number, number]);
          const byIndex = pairs.filter(([a, b]) => a < order.length && b < order.length && a !== b).every(([a, b]) => a < b);
          return respects(order, prec) === byIndex;
        },
      ),
    );
  });
});
