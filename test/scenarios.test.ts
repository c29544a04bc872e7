// Exact verdicts and traces for the bundled scenarios (the library is also run by `npm start` via fdrace ci).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCi } from '../checker/report/ci-run.ts';
import { scenarioPaths } from '../checker/load.ts';
import { check, trace } from './util/run.ts';

const F01 = readFileSync('scenarios/F01-replace-5-of-10.fdr', 'utf8');
const F07 = readFileSync('scenarios/F07-replace-vs-add.fdr', 'utf8');

describe('scenario library', () => {
  it('every scenario x variant gives the result its file states', async () => {
    const rows = await runCi(scenarioPaths(['scenarios']), {});
    const bad = rows
      .filter((r) => r.error || !r.cmp?.matches)
      .map((r) => `${r.scenario} [${r.variant}]: ${r.error ?? `${r.cmp?.expected} vs ${r.cmp?.actual}`}`);
    expect(bad).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(6);
  });
});

describe('F01: replace fd 3 of ten (seccomp notification flow)', () => {
  it('v6.2: the target installs NEW at fd 3 only; (OLD, 3) stays registered and is stale', async () => {
    const r = await check(F01, 'v6.2');
    expect(r.verdict).toBe('violation');
    const path = '0.0.1*5.0*10.1*4.0.0';
    // Both properties fail when the replacement returns to T (the last step) and at the end (the same state).
    expect(r.violations.map((v) => [v.qualified, v.path])).toEqual([
      ['registration-follows-fd.at-return', path],
      ['stale-registration.at-return', path],
      ['registration-follows-fd.at-end', path],
      ['stale-registration.at-end', path],
    ]);
    const tr = await trace(F01, 'v6.2', path);
    expect(tr.steps.map((s) => `${s.thread} ${s.function}`).slice(0, 12)).toEqual([
      'T seccomp_do_user_notification',
      'T seccomp_do_user_notification',
      'SV seccomp_notify_recv',
      'SV seccomp_notify_recv',
      'SV seccomp_notify_addfd',
      'SV seccomp_notify_addfd',
      'SV seccomp_notify_addfd',
      'T seccomp_do_user_notification',
      'T seccomp_handle_addfd',
      'T replace_fd',
      'T do_dup2',
      'T do_dup2',
    ]);
    expect(tr.steps[10]!.changes).toContain('P.fd[3]: OLD -> NEW');
    const end = tr.steps[tr.steps.length - 1]!.state;
    expect(end.processes[0]!.fds.filter((d) => d.fd >= 4 && d.fd <= 12).every((d) => d.file === 'OLD')).toBe(true);
    expect(end.epolls[0]!.items.map((i) => [i.file, i.fd])).toEqual([['OLD', 3]]);
    expect(tr.violation).toMatchObject({ property: 'registration-follows-fd', step: 23 });
  });

  it('rfc-v4: the item follows fd 3, and fds 4..12 switch to NEW one by one in the iterate_fd callback', async () => {
    const r = await check(F01, 'rfc-v4');
    const v = r.violations.find((x) => x.property === 'fds_untouched')!;
    const tr = await trace(F01, 'rfc-v4', v.path, 'fds_untouched');
    const switched = tr.steps.filter((s) => s.function === 'do_replace (iterate_fd callback)' && s.changes.some((c) => /^P\.fd\[\d+\]: OLD -> NEW$/.test(c)));
    expect(switched.map((s) => s.changes[0])).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `P.fd[${n}]: OLD -> NEW`));
    const end = tr.steps[tr.steps.length - 1]!.state;
    expect(end.epolls[0]!.items.map((i) => [i.file, i.fd, i.data])).toEqual([['NEW', 3, 3]]);
    expect(end.files.find((f) => f.name === 'OLD')!.life).toBe('freed');
    expect(tr.violation).toMatchObject({ property: 'fds_untouched' });
  });

  it('userspace: the supervisor re-keys the item through its pidfd_getfd copy of E, and nothing else changes', async () => {
    const r = await check(F01, 'userspace');
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(122); // 116 before ep_remove's f_ep publish and hlist_del_rcu became two steps
  });
});

describe('F07: replace vs close vs ADD', () => {
  it('is explored exhaustively on both variants with exact counts', async () => {
    const a = await check(F07, 'v6.2');
    const b = await check(F07, 'rfc-v4');
    expect([a.verdict, b.verdict]).toEqual(['violation', 'violation']);
    expect(a.incomplete).toBeUndefined();
    expect(b.incomplete).toBeUndefined();
    expect([...new Set(a.violations.map((v) => v.property))].sort()).toEqual(['follows', 'stale-registration']);
    expect(b.violations.map((v) => v.property)).toEqual(['check-list', 'stale-registration']);
    // stale-registration is also checked where T's replace returns: that step's state carries a mark (the
    // at-return check reads it), so states that differed only by how they were reached no longer merge; and
    // ep_remove's f_ep publish and hlist_del_rcu are two steps (1000 and 5764 before both).
    expect([a.stats.states, b.stats.states]).toEqual([1135, 6191]);
  });

  it('rfc-v4: the stale (OLD, 4) comes from an ADD that pinned OLD before fd 4 went away', async () => {
    const r = await check(F07, 'rfc-v4');
    const v = r.violations.find((x) => x.property === 'stale-registration')!;
    const tr = await trace(F07, 'rfc-v4', v.path, 'stale-registration');
    const end = tr.steps[tr.steps.length - 1]!.state;
    expect(end.epolls[0]!.items.map((i) => `${i.file},${i.fd}`).sort()).toEqual(['NEW,3', 'OLD,4']);
    expect(end.processes[0]!.fds.find((d) => d.fd === 4)).toBeUndefined();
  });
});
