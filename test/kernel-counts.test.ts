// Exact state and transition counts on tiny scenarios, derived by hand from the step programs (model/routines/).
import { describe, expect, it } from 'vitest';
import { check, scenario } from './util/run.ts';

describe('exact state counts', () => {
  it('close of the last fd: 5 syscall steps + 2 deferred __fput steps, one path', async () => {
    // close_fd lock, file_close_fd_locked, unlock, filp_close, fput (count 1 -> 0, __fput queued);
    // then task_work: __fput's eventpoll_release check (not watched) and release+free.
    const r = await check(
      scenario(`
file X socket
process P
  fd 3 = X
thread T in P
  close(3)
expect gone: at end X.state == freed && T.ret == 0`),
      'v6.2',
    );
    expect(r.verdict).toBe('pass');
    expect(r.stats).toMatchObject({ states: 8, transitions: 7, terminal: 1, maxDepth: 7 });
  });

  it('two closes on different files of one table: file_lock excludes 4 of 64 position pairs', async () => {
    // Each thread runs 7 steps (positions 0..7) and holds file_lock at positions 1 and 2. The shared state is a
    // function of the two positions, so states = 8*8 - 4 = 60. Moves: thread 1 can move from 7*8 - 4 pairs,
    // minus the 2 where it waits at position 0 for the other's lock: 50; the same for thread 2: 100.
    const r = await check(
      scenario(`
file X socket
file Y socket
process P
  fd 3 = X
  fd 4 = Y
thread T1 in P
  close(3)
thread T2 in P
  close(4)`),
      'v6.2',
    );
    expect(r.verdict).toBe('pass');
    expect(r.stats).toMatchObject({ states: 60, transitions: 100, terminal: 1, maxDepth: 14 });
  });

  it('close of a non-last fd: no __fput, 5 steps', async () => {
    const r = await check(
      scenario(`
file X socket
process P
  fd 3 = X
  fd 4 = X
thread T in P
  close(3)
expect one: at end X.ref == 1 && X.state == live && P.fd[4] == X && P.fd[3] == none`),
      'v6.2',
    );
    expect(r.verdict).toBe('pass');
    expect(r.stats).toMatchObject({ states: 6, transitions: 5, terminal: 1 });
  });

  it('close of a bad fd: lock, look, unlock, return -EBADF', async () => {
    const r = await check(
      scenario(`
file X socket
process P
  fd 3 = X
thread T in P
  close(5)
expect ebadf: at end T.ret == -EBADF && X.ref == 1`),
      'v6.2',
    );
    expect(r.verdict).toBe('pass');
    expect(r.stats).toMatchObject({ states: 4, transitions: 3 });
  });

  it('dup: fget (3 steps), alloc_fd (3 steps), fd_install; lowest free slot', async () => {
    const r = await check(
      scenario(`
file X socket
process P
  fd 0 = X
  fd 2 = X
thread T in P
  dup(2)
expect lowest: at end T.ret == 1 && P.fd[1] == X && X.ref == 3`),
      'v6.2',
    );
    expect(r.verdict).toBe('pass');
    expect(r.stats).toMatchObject({ states: 8, transitions: 7 });
  });

  it('an injected allocation failure in ep_insert adds exactly the failing branches', async () => {
    // One thread, unshared table: fdget borrows (1 step each), lock ep->mtx, ep_find, then ep_insert: watches,
    // alloc epi (fault point), epitems_head alloc (fault point), lock f_lock, link, unlock, rbtree insert, poll
    // queue (fault point); unlock ep->mtx, return. 14 steps, 15 states without faults.
    const text = (faults: number) =>
      scenario(`
file X socket
epoll E
process P
  fd 3 = X
  fd 4 = E
thread T in P
  epoll_ctl(4, ADD, 3, IN)
option faults ${faults}
expect added: at end (T.ret == 0 && E has (X, 3)) || (T.ret == -ENOMEM && !(E has (X, 3)))`);
    const none = await check(text(0), 'v6.2');
    expect(none.verdict).toBe('pass');
    expect(none.stats).toMatchObject({ states: 15, transitions: 14, terminal: 1, maxDepth: 14 });
    const one = await check(text(1), 'v6.2');
    expect(one.verdict).toBe('pass');
    // Failing the epi allocation and failing the head allocation both land in the same state (the item record is
    // zeroed on free, frames are cleared on return): A = "ep_insert returned -ENOMEM". From A: unlock, return
    // (2 new states). Failing the poll queue pushes ep_remove (1 state) whose 7 steps end in A again (6 new): the
    // item is X's only one, so WRITE_ONCE(f_ep, NULL) and hlist_del_rcu are two steps.
    // States 15 + 1 (A) + 2 + 1 + 6 = 25; transitions 14 + 2 (into A) + 2 + 1 + 7 = 26; 2 terminal states.
    expect(one.stats).toMatchObject({ states: 25, transitions: 26, terminal: 2, maxDepth: 18 });
  });
});
