// The lockset discipline behind the transaction reduction (model/lockset.ts, checker/wasm/transaction.ts): exact
// reduced counts where protected accesses (ep->rbr and epitem dereferences under ep->mtx, a pinned file's liveness)
// join a lock's transaction, the discipline check stopping a reduced search on an access that breaks it, and the
// pin rule that keeps free-while-locked findings under their own name.
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { search } from '../../checker/search/run.ts';
import { parallelBfs } from '../../checker/search/parallel.ts';
import { partitionedBfs } from '../../checker/search/partition.ts';
import { ADD_VS_CLOSE, PLAIN, TX, compileText, library, summary } from './util.ts';

describe('lockset discipline', async () => {
  const x = await loadKernel();

  it('merges protected accesses into lock transactions: exact counts on ADD racing close', () => {
    const c = compileText(ADD_VS_CLOSE, 'v6.2');
    const plain = search(x, c, {}, PLAIN);
    expect([plain.stats.states, plain.stats.transitions, plain.stats.terminal]).toEqual([202, 334, 2]);
    // ep_find, the rbtree insert, the poll-wait registration and the epitem dereferences of ep_insert run under
    // ep->mtx (protected), and filp_close's checks run on the closer's own reference (pinned): they no longer end
    // transactions (95 states). fdget(5)'s lockless reads of a slot that T2 never writes (frozen,
    // model/slot_bounds.ts) and its fdput of E, which fd 5 keeps referenced, are both-movers too (58).
    const tx = search(x, c, {}, TX);
    expect([tx.stats.states, tx.stats.transitions, tx.stats.terminal]).toEqual([58, 88, 2]);
    expect(summary(x, c, TX)).toEqual(summary(x, c, PLAIN));
    // Every mover of the run, the new both-movers included, commutes with the other thread's steps.
    expect(search(x, c, {}, { ...TX, checkMovers: true }).stats.states).toBe(58);
  });

  it('stops a reduced search on an access that breaks a declared discipline', () => {
    // The RFC v2 walk stores into fd slots without file_lock: that variant declares the slots lockless. Declared
    // locked anyway (a test-only switch), the first such store is reported as a model bug naming step and lock.
    const { c } = library().find((l) => l.file.includes('F06-dup-vs-walk') && l.variant === 'rfc-v4-v2')!;
    expect(() => search(x, c, {}, { ...TX, strictLockset: true })).toThrow(
      /^model bug: thread 0's step RfcV2Install accessed fd slots without holding file_lock of fd table 0, which the lockset discipline/,
    );
    // As declared, the reduced search keeps the variant's verdict (the leaked reference).
    expect(search(x, c, {}, { ...TX, checkMovers: true }).verdict).toBe('violation');
    expect(summary(x, c, TX)).toEqual(summary(x, c, PLAIN));
    // The check is the reduced search's: the unreduced one never reports it.
    expect(search(x, c, {}, { ...PLAIN, strictLockset: true }).verdict).toBe('violation');
  });

  it('stops a reduced search on workers too: each worker instance judges its own transactions', async () => {
    const { c } = library().find((l) => l.file.includes('F06-dup-vs-walk') && l.variant === 'rfc-v4-v2')!;
    const bug = /^model bug: thread 0's step RfcV2Install accessed fd slots without holding file_lock of fd table 0/;
    await expect(parallelBfs(c, {}, { ...TX, strictLockset: true }, 2)).rejects.toThrow(bug);
    await expect(partitionedBfs(c, {}, { ...TX, strictLockset: true, storage: 'full' }, 2)).rejects.toThrow(bug);
    // As declared, both keep the variant's verdict.
    expect((await parallelBfs(c, {}, TX, 2)).verdict).toBe('violation');
    expect((await partitionedBfs(c, {}, { ...TX, storage: 'full' }, 2)).verdict).toBe('violation');
  });

  it('keeps free-while-locked: f_lock and ep->mtx steps are movers only while the thread pins their file', () => {
    // ep_remove takes f_lock without a reference before a6dc643c6931: a racing __fput frees the file under it.
    for (const l of library().filter((l) => l.file.includes('F12-release-vs-epoll-close'))) {
      const tx = search(x, l.c, {}, { ...TX, checkMovers: true });
      expect(summary(x, l.c, TX), l.variant).toEqual(summary(x, l.c, PLAIN));
      expect(tx.stats.states).toBeLessThan(search(x, l.c, {}, PLAIN).stats.states);
    }
    const pre = library().find((l) => l.file.includes('F12-release-vs-epoll-close') && l.variant === 'current-pre-6.16')!;
    const props = search(x, pre.c, {}, TX).violations.map((v) => v.property);
    expect(new Set(props)).toEqual(new Set(['free-while-locked', 'no-uaf']));
  });
});
