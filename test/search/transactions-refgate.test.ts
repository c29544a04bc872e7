// The reference gate and the frozen fd slots of the transaction reduction (model/lockset.ts, model/slot_bounds.ts):
// an fput that references no other thread can drop keep above zero is a both-mover, a lockless read of a slot that
// no other thread writes any more is protected, and a slot store outside its thread's bound stops a reduced search
// as a model bug.
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { search } from '../../checker/search/run.ts';
import { ADD_VS_CLOSE, PLAIN, TX, compileText, summary } from './util.ts';

/** T1 and T2 close two of P's fds on one file; with `keep`, a third fd that nobody closes holds it too. */
function twoCloses(keep: boolean): string {
  return `scenario t
file A socket
process P
  fd 3 = A
  fd 4 = A
${keep ? '  fd 5 = A\n' : ''}thread T1 in P
  close(3)
thread T2 in P
  close(4)
variants v6.2
result v6.2 pass
`;
}

describe('reference gate and frozen slots', async () => {
  const x = await loadKernel();

  /** States of the unreduced search; states, transitions and terminal states of the reduced one, after checking
   *  that both agree and that every mover commutes (--check-movers). */
  function counts(keep: boolean) {
    const c = compileText(twoCloses(keep), 'v6.2');
    const tx = search(x, c, {}, TX);
    expect(summary(x, c, TX)).toEqual(summary(x, c, PLAIN));
    expect(search(x, c, {}, { ...TX, checkMovers: true }).stats.states).toBe(tx.stats.states);
    return { plain: search(x, c, {}, PLAIN).stats.states, reduced: [tx.stats.states, tx.stats.transitions, tx.stats.terminal] };
  }

  it('makes an fput a both-mover while a reference no other thread can drop keeps the file', () => {
    // fd 5 is never written: after either close, A stays referenced, so neither fput can be the last in any
    // order. Each close is one transaction: [lock, pick (the slot store, the one non-mover), unlock, flush, fput].
    expect(counts(true)).toEqual({ plain: 32, reduced: [4, 4, 1] });
    // Without fd 5 the only other reference is the slot the other thread closes: whichever fput comes second
    // frees A, so both stay non-movers and each close is two transactions (a 3 x 3 grid).
    expect(counts(false)).toEqual({ plain: 36, reduced: [9, 12, 1] });
  });

  it("stops a reduced search on a slot store outside its thread's bound", () => {
    // A test-only switch leaves close() out of the slot bounds: fd 3 then counts as frozen for T1's fdget, and
    // T2's store into it is reported as the model bug it would be.
    const c = compileText(ADD_VS_CLOSE, 'v6.2');
    expect(() => search(x, c, {}, { ...TX, narrowSlotBounds: true })).toThrow(
      /^model bug: thread 1's step CloseFileCloseFdLocked stored into fd 3 of fd table 0, which its remaining operations may not write \(model\/slot_bounds\.ts\)/,
    );
    // The unreduced search does not rely on the bounds and never reports it.
    expect(search(x, c, {}, { ...PLAIN, narrowSlotBounds: true }).verdict).toBe('pass');
  });
});
