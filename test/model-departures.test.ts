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
