// Object lifetimes, free flavours and RCU read-side sections (model/memory.ts), with the KASAN / lockdep reports
// (checker/trace/memory.ts). Expectations are derived by hand from the kernel's step lists, as each test says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Access, MemField, MemObj } from '../model/codes.ts';
import { kasanReport } from '../checker/trace/memory.ts';
import { formatTrace } from '../checker/trace/text.ts';
import { check, trace } from './util/run.ts';

const F12 = readFileSync(new URL('../scenarios/F12-release-vs-epoll-close.fdr', import.meta.url), 'utf8');

/** A scenario text with every variant it is run on declared (the parser wants a result line for each). */
function sc(body: string, variants: string[]): string {
  return `scenario t\n${body.trim()}\n\nvariants ${variants.join(' ')}\n${variants.map((v) => `result ${v} pass`).join('\n')}\n`;
}

// ---- an independent enumeration of "fget(3) vs close(3)" --------------------------------------------------------
// T0 runs __fget_files_rcu: p0 read the slot inside rcu_read_lock (empty: -EBADF), p1 get_file_rcu (count 0:
// retry), p2 re-check the slot (changed: fput, then retry); T1 runs close_fd (lock, file_close_fd_locked, unlock),
// filp_close, fput, and — if that put was the last — __fput (eventpoll_release, release + file_free). A retry
// position differs from "not started" (the __fget frame exists). file_free while T0 sits at p1 leaves the file
// RCU-pending (call_rcu) / freed-but-protected (SLAB_TYPESAFE_BY_RCU) until T0's get_file_rcu.
type S = [t0: string, t1: string, slot: number, ref: number, life: string, pendingT0: string];
function fgetVsClose(): { states: number; transitions: number; protectedAcrossFree: boolean } {
  const succ = ([t0, t1, slot, ref, life, p0]: S): S[] => {
    const out: S[] = [];
    if (t0 === 'p0' || t0 === 'p0r') out.push([slot ? 'p1' : 'ebadf', t1, slot, ref, life, p0]);
    else if (t0 === 'p1') {
      const l = life === 'pending' ? 'freed' : life; // the last protected reader leaves: the grace period ends
      out.push(ref === 0 ? ['p0r', t1, slot, ref, l, p0] : ['p2', t1, slot, ref + 1, l, p0]);
    } else if (t0 === 'p2') out.push([slot ? 'done' : 'fput', t1, slot, ref, life, p0]);
    else if (t0 === 'fput') out.push(['p0r', t1, slot, ref - 1, ref === 1 ? 'dying' : life, ref === 1 ? 'queued' : p0]);
    else if (t0 === 'ebadf' && p0 === 'queued') out.push([t0, t1, slot, ref, 'releasing', 'running']);
    else if (t0 === 'ebadf' && p0 === 'running') out.push([t0, t1, slot, ref, 'freed', '-']);
    const t1Next: Record<string, () => S> = {
      q0: () => [t0, 'q1', slot, ref, life, p0],
      q1: () => [t0, 'q2', 0, ref, life, p0],
      q2: () => [t0, 'q3', slot, ref, life, p0],
      q3: () => [t0, 'q4', slot, ref, life, p0],
      q4: () => [t0, ref === 1 ? 'q5' : 'end', slot, ref - 1, ref === 1 ? 'dying' : life, p0],
      q5: () => [t0, 'q6', slot, ref, 'releasing', p0],
      q6: () => [t0, 'end', slot, ref, t0 === 'p1' ? 'pending' : 'freed', p0],
    };
    const n = t1Next[t1];
    if (n) out.push(n());
    return out;
  };
  const start: S = ['p0', 'q0', 1, 1, 'live', '-'];
  const seen = new Set([start.join()]);
  const queue = [start];
  let transitions = 0;
  let protectedAcrossFree = false;
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (s[0] === 'p1' && s[4] === 'pending') protectedAcrossFree = true;
    for (const n of succ(s)) {
      transitions++;
      if (!seen.has(n.join())) {
        seen.add(n.join());
        queue.push(n);
      }
    }
  }
  return { states: seen.size, transitions, protectedAcrossFree };
}

describe('free flavours of struct file and the lockless fget', () => {
  const text = sc(
    `
file X socket
process P
  fd 3 = X
thread T0 in P
  fget(3)
thread T1 in P
  close(3)`,
    ['v6.2', 'current'],
  );

  it('the enumeration by hand: 47 states, 72 transitions, and T0 can hold the bare pointer across the free', () => {
    expect(fgetVsClose()).toEqual({ states: 47, transitions: 72, protectedAcrossFree: true });
  });

  it('call_rcu (v6.2) and SLAB_TYPESAFE_BY_RCU (current): get_file_rcu inside the section is no use-after-free', async () => {
    // The flavour changes what the freed memory is, not which steps run: the same 47 states on both.
    for (const v of ['v6.2', 'current']) {
      const r = await check(text, v);
      expect(r.verdict, v).toBe('pass');
      expect(r.stats, v).toMatchObject({ states: 47, transitions: 72, terminal: 2 });
    }
  });

  it('the trace of that path: X freed at step 7 while T0 is between the slot read and get_file_rcu', async () => {
    // T0 reads fd 3 (step 1), T1 closes it and runs __fput to file_free (steps 2..8), T0's get_file_rcu finds the
    // count at zero (step 9), retries, finds fd 3 empty (step 10): -EBADF.
    const tr = await trace(text, 'v6.2', '0.1*7.0.0');
    expect(tr.violation).toBeNull();
    expect(tr.steps.map((s) => s.function)).toEqual([
      '__fget_files_rcu',
      'close_fd',
      'file_close_fd_locked',
      'close_fd',
      'filp_close',
      'fput',
      '__fput',
      '__fput',
      '__fget_files_rcu',
      '__fget_files_rcu',
    ]);
    expect(tr.steps[7]!.state.files[0]!.life).toBe('freed');
    expect(tr.steps[9]!.state.threads[0]!.returns).toEqual([-9]);
  });
});

describe('SLAB_TYPESAFE_BY_RCU: the object at the address may be another one', () => {
  // T0's lockless fget(3) reads X; T1 dup2s Y over fd 3 (X's last reference: __fput frees X on T1's way out) and
  // epoll_create's new struct file for E takes X's memory (the slab hands out the object just freed). T0's
  // get_file_rcu then increments E's count. With the re-check of 054aa8d439b9, fd 3 (now Y) differs: T0 puts E and
  // retries; without it T0 keeps a reference on E, an object it never looked up.
  const text = sc(
    `
file X socket
file Y socket
epoll E
process P
  fd 3 = X
  fd 4 = Y
thread T0 in P
  fget(3)
  fput()
thread T1 in P
  dup2(4, 3)
  epoll_create(E)`,
    ['current', 'current~fget-recheck', 'v6.2~fget-recheck'],
  );
  const path = '0.1*11.0.0';

  it('without the identity re-check the reader holds E (reported under no-uaf)', async () => {
    const r = await check(text, 'current~fget-recheck');
    expect(r.verdict).toBe('violation');
    expect(r.violations.map((v) => [v.property, v.kind])).toEqual([['no-uaf', 'RcuIdentity']]);
    expect(r.violations[0]!.message).toContain('took a reference on E');
    expect(r.violations[0]!.path).toBe(path);
    const tr = await trace(text, 'current~fget-recheck', path, 'no-uaf');
    // step 13: get_file_rcu on X's address increments E's count; step 14: no re-check, fget returns E.
    expect(tr.steps[12]!.changes).toContain('E.ref 1 -> 2');
    expect(tr.steps[13]!.state.threads[0]!.held).toEqual(['E']); // fget()'s reference, kept for the scenario's fput()
    expect(tr.violation).toMatchObject({ property: 'no-uaf', kind: 'RcuIdentity', step: 14 });
  });

  it('with the re-check (current) the same interleaving puts E back and retries: pass', async () => {
    const r = await check(text, 'current');
    expect(r.verdict).toBe('pass');
    const tr = await trace(text, 'current', `${path}.0.0.0.0`);
    expect(tr.violation).toBeNull();
    expect(tr.steps[13]!.function).toBe('__fget_files_rcu');
    expect(tr.steps[14]!.changes).toContain('E.ref 2 -> 1');
  });

  it('call_rcu (before 0ede61d8589c): nothing reuses the memory while the reader is in its section', async () => {
    expect((await check(text, 'v6.2~fget-recheck')).verdict).toBe('pass');
  });
});

describe('F.12: unlock after an immediate free vs after an RCU-deferred free', () => {
  it('current-pre-6.16: mutex_unlock(&ep->mtx) after kfree(ep) is a KASAN unlock use-after-free', async () => {
    const r = await check(F12, 'current-pre-6.16');
    const uaf = r.violations.find((v) => v.property === 'no-uaf')!;
    expect(uaf).toMatchObject({ kind: 'UafEp', path: '0*17.1*12.0' });
    const tr = await trace(F12, 'current-pre-6.16', uaf.path, 'no-uaf');
    const m = tr.violation!.memory!;
    expect(m).toMatchObject({
      tool: 'KASAN',
      title: 'BUG: KASAN: slab-use-after-free in __mutex_unlock_slowpath',
      bug: 'slab-use-after-free',
      access: 'unlock',
      size: 8,
      task: 'T1',
      step: 30,
      object: { type: 'struct eventpoll', name: 'E', description: 'struct eventpoll of epoll E', field: 'mtx' },
      allocated: { task: null, step: 0, chain: [] },
      freed: { task: 'T2', step: 29, chain: ['ep_free', 'ep_clear_and_put', '__fput'] },
    });
    const text = formatTrace(tr);
    expect(text).toContain('BUG: KASAN: slab-use-after-free in __mutex_unlock_slowpath');
    expect(text).toContain('Write (unlock) of size 8 at addr &E->mtx by task T1 at step 30');
    expect(text).toContain('Freed by task T2 at step 29:');
  });

  // T1: close(3) and its fput (steps 1-5); T2: close(4), __fput(E), ep_clear_and_put -> __ep_remove(X): takes
  // X->f_lock (17), publishes X->f_ep = NULL (18); T1's __fput(X) reads f_ep == NULL and frees X (19, 20) while T2
  // still holds X->f_lock; T2's hlist_del_rcu (21) and spin_unlock (22). Without a6dc643c6931's pin.
  const path = '0*5.1*13.0.0.1.1';
  const withFlavours = F12.replace(
    /^variants .*$/m,
    'variants v6.2 current current-pre-6.16 current~ep-remove-pin current~ep-remove-pin~file-typesafe-rcu\nresult current~ep-remove-pin~file-typesafe-rcu pass',
  );

  it('SLAB_TYPESAFE_BY_RCU: held lock freed, but the unlock inside the section is no KASAN report', async () => {
    const tr = await trace(F12, 'current~ep-remove-pin', path);
    expect(tr.steps[17]!.text).toMatch(/WRITE_ONCE\(file->f_ep, NULL\)/);
    expect(tr.steps[19]!.changes).toContain('X: releasing -> freed');
    expect(tr.steps[21]!.changes).toContain('X.f_lock released by T2');
    expect(tr.violation).toMatchObject({ property: 'free-while-locked', kind: 'FreeWhileLocked', step: 20 });
    expect(tr.violation!.memory).toMatchObject({
      tool: 'lockdep',
      title: 'WARNING: held lock freed!',
      lock: { name: 'X.f_lock', holder: 'T2', since: 17 },
      freed: { task: 'T1', step: 20, chain: ['__fput'] },
    });
    const r = await check(F12, 'current~ep-remove-pin');
    expect(r.violations.map((v) => v.property)).toEqual(['free-while-locked']);
    expect(r.stats).toMatchObject({ states: 408 });
  });

  it('call_rcu (before 0ede61d8589c): the same interleaving reports nothing', async () => {
    // T2's spin_lock region began before the free: the free waits for the grace period, which ends at T2's unlock.
    const v = 'current~ep-remove-pin~file-typesafe-rcu';
    const tr = await trace(withFlavours, v, path);
    expect(tr.violation).toBeNull();
    expect(tr.steps[19]!.state.files[0]!.life).toBe('freed');
    const r = await check(withFlavours, v);
    expect(r.verdict).toBe('pass');
    // The same configurations as on SLAB_TYPESAFE_BY_RCU (pending instead of freed-but-protected), less one: there
    // one configuration is stored twice, once carrying the free-while-locked finding of the step that made it.
    expect(r.stats).toMatchObject({ states: 407 });
    expect((await check(F12, 'v6.2')).verdict).toBe('pass');
  });

  it('a6dc643c6931 (current): ep_remove pins X first, so __fput(X) never sees the transient NULL', async () => {
    // T2's epi_fget (step 17) makes X.ref 1 -> 2 only while T1 has not dropped it to zero; once it is zero the pin
    // fails and T2 leaves the item to eventpoll_release_file.
    const r = await check(F12, 'current');
    expect(r.verdict).toBe('pass');
    expect(r.stats).toMatchObject({ states: 413 });
    const tr = await trace(F12, 'current', '0*5.1*13');
    expect(tr.steps[16]!.function).toBe('ep_remove_safe');
    expect(tr.steps[16]!.changes).toEqual([]);
    expect(tr.steps[17]!.function).toBe('ep_clear_and_put'); // bailed out: the next item (none), unlock
  });
});

describe('history: a6dc643c6931, ep_remove writing into the freed inner eventpoll', () => {
  const H = readFileSync(new URL('../scenarios/history/ep-remove-uaf-a6dc643c6931.fdr', import.meta.url), 'utf8');
  it("without the pin: KASAN slab-use-after-free write in ep_remove, freed by ep_free in T1's __fput(G)", async () => {
    const r = await check(H, 'current~ep-remove-pin');
    const uaf = r.violations.find((v) => v.property === 'no-uaf')!;
    expect(uaf).toMatchObject({ kind: 'UafEp', path: '0*5.1*13.0*8.1' });
    const tr = await trace(H, 'current~ep-remove-pin', uaf.path, 'no-uaf');
    expect(tr.violation!.memory).toMatchObject({
      title: 'BUG: KASAN: slab-use-after-free in ep_remove',
      access: 'write',
      size: 8,
      task: 'T2',
      step: 27,
      object: { description: 'struct eventpoll of epoll G', field: 'refs.first' },
      freed: { task: 'T1', step: 26, chain: ['ep_free', 'ep_clear_and_put', '__fput'] },
    });
  });
  it('v6.2 (epmutex) and current (the pin) pass', async () => {
    expect((await check(H, 'v6.2')).verdict).toBe('pass');
    expect((await check(H, 'current')).verdict).toBe('pass');
  });
});

describe('every access kind in the report', () => {
  const initial = { processes: [], files: [], epolls: [], threads: [], locks: [], global: { epmutex: null, watches: 0, faults: 0 } };
  const step = (n: number, thread: string, fn: string) => ({
    step: n,
    thread,
    threadIndex: 0,
    fault: false,
    op: 'x',
    function: fn,
    source: 'fs/file.c',
    text: 't',
    changes: [],
    state: initial,
  });
  const ctx = { initial, steps: [step(1, 'T0', 'fput'), step(2, 'T1', 'filp_close')], files: ['X'], epolls: ['E'], processes: ['P'] };
  const cases: [Access, MemField, string, number | null, string][] = [
    [Access.Read, MemField.FEp, 'read', 8, 'Read of size 8 at addr &X->f_ep by task T1 at step 2'],
    [Access.Write, MemField.Count, 'write', 8, 'Write of size 8 at addr &X->f_count by task T1 at step 2'],
    [Access.Lock, MemField.FLock, 'lock', 4, 'Write (lock) of size 4 at addr &X->f_lock by task T1 at step 2'],
    [Access.Unlock, MemField.FLock, 'unlock', 1, 'Write (unlock) of size 1 at addr &X->f_lock by task T1 at step 2'],
    [Access.DoubleFree, MemField.Whole, 'double-free', null, 'Double free of struct file X by task T1 at step 2'],
    [Access.InvalidFree, MemField.Whole, 'invalid-free', null, 'Invalid free of struct file X by task T1 at step 2'],
  ];
  for (const [kind, field, name, size, line] of cases) {
    it(`${name}`, () => {
      const m = kasanReport(ctx, { step: 2, thread: 'T1', kind, obj: MemObj.File, idx: 0, field });
      expect(m.access).toBe(name);
      expect(m.size).toBe(size);
      expect(m.text[2]).toBe(line);
      expect(m.bug).toBe(kind === Access.DoubleFree ? 'double-free' : kind === Access.InvalidFree ? 'invalid-free' : 'slab-use-after-free');
    });
  }
});

describe('loop-check generation: ep->gen is stamped by the walk', () => {
  // T2 adds epoll B into epoll A: the target is an epoll, so do_epoll_ctl takes the full check and ep_loop_check
  // walks B, stamping B->gen = loop_check_gen (step 10) until T2's clear_tfile_check_list bumps the generation.
  // T1 then adds socket S into B: B is not watched yet and S is no epoll, but B->gen == loop_check_gen, so the ADD
  // must take the full check too (unlock B->mtx, wait for epnested_mutex) instead of inserting during T2's walk.
  const text = sc(
    `
file S socket
epoll A
epoll B
process P
  fd 3 = S
  fd 4 = A
  fd 5 = B
thread T2 in P
  epoll_ctl(4, ADD, 5, IN)
thread T1 in P
  epoll_ctl(5, ADD, 3, IN)`,
    ['v6.2', 'current'],
  );

  it('an ADD into an epoll the running walk visited takes the full check and waits for the global mutex', async () => {
    for (const v of ['v6.2', 'current']) {
      const tr = await trace(text, v, '0*11.1*8');
      expect(tr.steps[9]!.function, v).toBe('ep_loop_check_proc');
      expect(tr.steps[18]!.text, v).toMatch(/^ADD needs the full check/);
      await expect(trace(text, v, '0*11.1*9'), v).rejects.toThrow('step 20: thread T1 is blocked');
    }
  });

  it('both orders still pass; the serialised ADD leaves 460 states (583 when the walk stamped nothing)', async () => {
    for (const v of ['v6.2', 'current']) {
      const r = await check(text, v);
      expect(r.verdict, v).toBe('pass');
      expect(r.stats, v).toMatchObject({ states: 460, transitions: 829, terminal: 2 });
    }
  });
});

describe('reductions keep the memory findings', () => {
  // Two interchangeable lockless readers: symmetry renames the reader bits of a freed file's RCU mask with the
  // threads, and partial-order reduction must not prune the interleaving that reuses the memory under a reader.
  const text = sc(
    `
file X socket
file Y socket
epoll E
process P
  fd 3 = X
  fd 4 = Y
thread T0 in P
  fget(3)
  fput()
thread T1 in P
  fget(3)
  fput()
thread T2 in P
  dup2(4, 3)
  epoll_create(E)`,
    ['current', 'current~fget-recheck', 'v6.2'],
  );

  it('the same verdicts and findings with and without symmetry and partial-order reduction', async () => {
    for (const v of ['current', 'current~fget-recheck', 'v6.2']) {
      // One after another: the runs share the session's kernel instance.
      const runs = [];
      for (const o of [
        { por: false, symmetry: false },
        { por: false, symmetry: true },
        { por: true, symmetry: false },
        { por: true, symmetry: true },
      ]) {
        runs.push(await check(text, v, {}, { strategy: 'bfs', storage: 'full', ...o }));
      }
      const plain = runs[0]!;
      for (const r of runs) {
        expect([r.verdict, r.violations.map((f) => f.kind)], v).toEqual([plain.verdict, plain.violations.map((f) => f.kind)]);
      }
      expect(runs[1]!.stats.states, v).toBeLessThan(plain.stats.states);
    }
  });
});

describe('loop check: an epoll reached twice is walked once', () => {
  // X watches B and C, both watch D; EPOLL_CTL_ADD of X into A walks X. Steps 6-17: lock X, visit B, lock B,
  // visit D, lock D, unlock D, unlock B, visit C, lock C, visit D (stamped: skipped), unlock C, unlock X — D's mtx
  // is taken once. One thread, so states = steps + 1: 33 (35 if D were walked again: its lock and unlock).
  const text = sc(
    `
epoll A
epoll X
epoll B
epoll C
epoll D
process P
  fd 3 = A
  fd 4 = X
  fd 5 = B
  fd 6 = C
  fd 7 = D
watch X (B, 5) IN
watch X (C, 6) IN
watch B (D, 7) IN
watch C (D, 7) IN
thread T in P
  epoll_ctl(3, ADD, 4, IN)`,
    ['v6.2', 'current'],
  );

  it('D is locked once and the walk takes 12 steps', async () => {
    for (const v of ['v6.2', 'current']) {
      const r = await check(text, v);
      expect(r.verdict, v).toBe('pass');
      expect(r.stats, v).toMatchObject({ states: 33, transitions: 32, terminal: 1 });
      const tr = await trace(text, v, '0*32');
      const walk = tr.steps.filter((s) => s.function === 'ep_loop_check_proc');
      expect(
        walk.map((s) => s.step),
        v,
      ).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
      expect(
        walk.flatMap((s) => s.changes).filter((c) => c.endsWith('taken by T')),
        v,
      ).toEqual(['X.mtx taken by T', 'B.mtx taken by T', 'D.mtx taken by T', 'C.mtx taken by T']);
    }
  });
});
