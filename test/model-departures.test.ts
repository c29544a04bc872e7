// Departures from the kernel that docs/model.md §G states about the model's behaviour, pinned so the document
// stays true: when one of these tests fails, the model changed and §G must say so.
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
variants current v6.2
result current pass
result v6.2 pass
`;

describe('docs/model.md §G.2: unlocking f_lock of a file freed meanwhile is not reported', () => {
  // T2's close(3) drops X's last reference; T1's close(4) runs __fput(E) -> ep_clear_and_put -> __ep_remove up to
  // the unlink; then T2's task_work __fput(X) finds f_ep NULL and frees X; then T1 unlocks X->f_lock.
  const path = { current: '1*5.0*13.1.1.0', 'v6.2': '1*5.0*14.1.1.0' } as const;

  for (const variant of ['current', 'v6.2'] as const) {
    it(`${variant}: the interleaving of a6dc643c6931 is reachable and passes`, async () => {
      const r = await check(RACE, variant);
      expect(r.verdict).toBe('pass');
      const tr = await trace(RACE, variant, path[variant]);
      const tail = tr.steps.slice(-4).map((s) => `${s.thread} ${s.function}: ${s.text}`);
      expect(tail).toEqual([
        'T1 ep_remove: hlist_del_rcu(&epi->fllink); f_ep = NULL if it was the last',
        'T2 __fput: eventpoll_release(file): if (file->f_ep) eventpoll_release_file(file)',
        'T2 __fput: file->f_op->release (sock_close), then file_free(file)',
        'T1 ep_remove: spin_unlock(&file->f_lock)',
      ]);
      expect(tr.steps.at(-2)!.changes).toContain('X: releasing -> freed');
      expect(tr.steps.at(-1)!.changes).toContain('X.f_lock released by T1');
      expect(tr.violation).toBeNull();
    });
  }
});

// T1 adds epoll B into A (full check: B is an epoll) while T2 adds socket X into B.
const GEN = `scenario gen-fast-path
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

describe('docs/model.md §G.5: ep->gen is never set, so an ADD into an epoll a running loop check visited takes the fast path', () => {
  it('current: T2 inserts into B under B->mtx alone while T1 still holds epnested_mutex after visiting B', async () => {
    const tr = await trace(GEN, 'current', '0*11.1*19');
    const lines = tr.steps.map((s) => `${s.thread} ${s.function}: ${s.text} | ${s.changes.join('; ')}`);
    expect(lines.slice(8, 11)).toEqual([
      'T1 do_epoll_ctl: mutex_lock(&epmutex); loop_check_gen++; full_check = 1 | epnested_mutex taken by T1',
      'T1 ep_loop_check_proc: mutex_lock_nested(&ep->mtx, call_nests + 1) | B.mtx taken by T1',
      'T1 ep_loop_check_proc: mutex_unlock(&ep->mtx) | B.mtx released by T1',
    ]);
    // In the kernel B->gen == loop_check_gen now, and T2's ADD would drop B->mtx and wait for epnested_mutex.
    expect(lines.slice(17, 19)).toEqual([
      'T2 do_epoll_ctl: mutex_lock_nested(&ep->mtx, 0) | B.mtx taken by T2',
      'T2 do_epoll_ctl: epi = ep_find(ep, tf.file, fd), then dispatch on op | ',
    ]);
    expect(lines.filter((l) => l.startsWith('T2') && /epnested_mutex|full check/.test(l))).toEqual([]);
    expect(lines.at(-1)).toContain('T2: op 1 returned 0');
  });
});
