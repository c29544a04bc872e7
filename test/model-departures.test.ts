// Behaviour that docs/model.md states where it once listed departures from the kernel (§G.2, §G.5), pinned so the
// document stays true: when one of these tests fails, the model changed and docs/model.md must say so.
import { describe, expect, it } from 'vitest';
import { check, trace } from './util/run.ts';

// X watched by E alone; T1 closes E's last fd while T2 closes X's.
const RACE = `scenario ep-remove-vs-fput
file X socket
epoll E
process P
  fd 3 = X
  fd 4 = E
watch E (X, 3) IN
thread T1 in P
  close(4)
thread T2 in P
  close(3)
variants current v6.2 current~ep-remove-pin
result current pass
result v6.2 pass
result current~ep-remove-pin violation(free-while-locked)
`;

const line = (s: { thread: string; function: string; text: string; changes: string[] }): string =>
  `${s.thread} ${s.function}: ${s.text} | ${s.changes.join('; ')}`;

describe('docs/model.md §G.2: the a6dc643c6931 window (f_ep = NULL published under f_lock, then a racing __fput)', () => {
  // T1's close(4) runs __fput(E) -> ep_clear_and_put -> ep_remove up to the publish of X->f_ep = NULL, holding
  // X->f_lock; then T2's close(3) drops X's last reference and its task_work __fput(X) reads the NULL.
  it('current~ep-remove-pin: __fput frees X while T1 holds X->f_lock (lockdep: held lock freed!)', async () => {
    const r = await check(RACE, 'current~ep-remove-pin');
    expect(r.verdict).toBe('violation');
    expect(r.stats.states).toBe(408);
    expect(r.violations.map((v) => [v.property, v.kind, v.path, v.steps])).toEqual([['free-while-locked', 'FreeWhileLocked', '0*13.1*7', 20]]);
    const tr = await trace(RACE, 'current~ep-remove-pin', r.violations[0]!.path, 'free-while-locked');
    expect(tr.steps.slice(11, 13).map(line)).toEqual([
      'T1 ep_remove: spin_lock(&file->f_lock) | X.f_lock taken by T1',
      'T1 ep_remove: the only epitem on the file: WRITE_ONCE(file->f_ep, NULL) (a racing __fput may now skip eventpoll_release_file and free the file) | X.f_ep = NULL (published; its epitem not yet unlinked)',
    ]);
    expect(tr.steps.slice(-3).map(line)).toEqual([
      'T2 fput: file_ref_put(&file->f_ref); on the last reference queue __fput as task_work | X.ref 1 -> 0; X: live -> dying; T2: op 1 returned 0; T2 holds []; T2: __fput(X) queued on task_work',
      'T2 __fput: eventpoll_release(file): if (file->f_ep) eventpoll_release_file(file) | X: dying -> releasing',
      'T2 __fput: file->f_op->release (sock_close), then file_free(file): kmem_cache_free (SLAB_TYPESAFE_BY_RCU) or call_rcu before v6.7 | X: releasing -> freed',
    ]);
    expect(tr.violation?.kind).toBe('FreeWhileLocked');
    expect(tr.violation?.memory?.title).toBe('WARNING: held lock freed!');
    expect(tr.violation?.memory?.object.field).toBe('f_lock');
    expect(tr.violation?.memory?.freed?.task).toBe('T2');
  });

  it('current: ep_remove_safe pins X first, so T2 drops 2 -> 1 and T1 runs the final __fput(X)', async () => {
    const r = await check(RACE, 'current');
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(413);
    const tr = await trace(RACE, 'current', '0*14.1*5.0*12');
    const lines = tr.steps.map(line);
    expect(lines.slice(11, 14)).toEqual([
      'T1 ep_remove_safe: if (READ_ONCE(epi->dying)) return; file = epi_fget(epi): pin the file (a6dc643c6931), bail if its count is zero | X.ref 1 -> 2; T1 holds [X]',
      'T1 ep_remove: spin_lock(&file->f_lock) | X.f_lock taken by T1',
      'T1 ep_remove: the only epitem on the file: WRITE_ONCE(file->f_ep, NULL) (a racing __fput may now skip eventpoll_release_file and free the file) | X.f_ep = NULL (published; its epitem not yet unlinked)',
    ]);
    expect(lines[18]).toBe(
      'T2 fput: file_ref_put(&file->f_ref); on the last reference queue __fput as task_work | X.ref 2 -> 1; T2: op 1 returned 0; T2 holds []',
    );
    expect(lines[23]).toBe(
      'T1 fput: file_ref_put(&file->f_ref); on the last reference queue __fput as task_work | X.ref 1 -> 0; X: live -> dying; T1 holds []; T1: __fput(X) queued on task_work',
    );
    expect(lines.at(-1)).toContain('T1 __fput: file->f_op->release (sock_close), then file_free(file)');
    expect(lines.at(-1)).toContain('X: releasing -> freed');
    expect(tr.violation).toBeNull();
  });

  it('v6.2: the same window passes, since X is freed through call_rcu and T1 is still in its f_lock section', async () => {
    const r = await check(RACE, 'v6.2');
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(278);
    const tr = await trace(RACE, 'v6.2', '0*14.1*7.0*7');
    const lines = tr.steps.map(line);
    expect(lines.slice(18, 23)).toEqual([
      'T2 fput: file_ref_put(&file->f_ref); on the last reference queue __fput as task_work | X.ref 1 -> 0; X: live -> dying; T2: op 1 returned 0; T2 holds []; T2: __fput(X) queued on task_work',
      'T2 __fput: eventpoll_release(file): if (file->f_ep) eventpoll_release_file(file) | X: dying -> releasing',
      'T2 __fput: file->f_op->release (sock_close), then file_free(file): kmem_cache_free (SLAB_TYPESAFE_BY_RCU) or call_rcu before v6.7 | X: releasing -> freed',
      'T1 ep_remove: hlist_del_rcu(&epi->fllink): *pprev = next stores into the list head (ep->refs of an epoll file) or the previous epitem | E:(X,3) data=3 => E:(X,3) [rbr only] data=3',
      'T1 ep_remove: spin_unlock(&file->f_lock): still a write to the file, reached through the unpublished pointer | X.f_lock released by T1',
    ]);
    expect(tr.violation).toBeNull();
  });
});

// T1 adds epoll B into A (full check: B is an epoll) while T2 adds socket X into B.
const GEN = `scenario gen-full-check
file X socket
epoll A
epoll B
process P
  fd 3 = A
  fd 4 = B
  fd 5 = X
thread T1 in P
  epoll_ctl(3, ADD, 4, IN)
thread T2 in P
  epoll_ctl(4, ADD, 5, IN)
variants current
result current pass
`;

describe('docs/model.md §G.5: the loop check stamps ep->gen, so an ADD into an epoll it visited takes the full check', () => {
  it('current: T2 finds B stamped, drops B->mtx and waits for epnested_mutex until T1 has finished', async () => {
    const r = await check(GEN, 'current');
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(460);
    const lines = (await trace(GEN, 'current', '0*11.1*8.0*16.1*16')).steps.map(line);
    expect(lines.slice(8, 11)).toEqual([
      'T1 do_epoll_ctl: mutex_lock(&epmutex); loop_check_gen++; full_check = 1 | epnested_mutex taken by T1',
      'T1 ep_loop_check_proc: mutex_lock_nested(&ep->mtx, call_nests + 1); ep->gen = loop_check_gen | B.mtx taken by T1',
      'T1 ep_loop_check_proc: mutex_unlock(&ep->mtx) | B.mtx released by T1',
    ]);
    expect(lines.slice(17, 19)).toEqual([
      'T2 do_epoll_ctl: mutex_lock_nested(&ep->mtx, 0) | B.mtx taken by T2',
      'T2 do_epoll_ctl: ADD needs the full check: mutex_unlock(&ep->mtx) before taking epmutex | B.mtx released by T2',
    ]);
    expect(lines[32]).toBe('T1 do_epoll_ctl: clear_tfile_check_list(); loop_check_gen++; mutex_unlock(&epmutex) | epnested_mutex released by T1');
    expect(lines.slice(35, 37)).toEqual([
      'T2 do_epoll_ctl: mutex_lock(&epmutex); loop_check_gen++; full_check = 1 | epnested_mutex taken by T2',
      'T2 do_epoll_ctl: mutex_lock_nested(&ep->mtx, 0) again | B.mtx taken by T2',
    ]);
    expect(lines.at(-1)).toContain('T2: op 1 returned 0');
  });

  it('current: while T1 holds epnested_mutex after visiting B, T2 cannot move past the unlock of B->mtx', async () => {
    await expect(trace(GEN, 'current', '0*11.1*9')).rejects.toThrow('step 20: thread T2 is blocked and cannot move');
  });
});
