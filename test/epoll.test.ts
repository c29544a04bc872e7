// Epoll paths in both generations: the deferred __fput (F.13), lockdep-style reports (the EPOLL_CTL_DEL ABBA of
// 4ff36ee94d93), and the historical bugs appearing only without their fixes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../checker/trace/types.ts';
import { check, trace } from './util/run.ts';

const F13 = readFileSync('scenarios/F13-poll-dying-file.fdr', 'utf8');
const ABBA = readFileSync('scenarios/history/ctl-del-abba-4ff36ee94d93.fdr', 'utf8');
const CVE2020 = readFileSync('scenarios/history/cve-2020-0466-check-list-a9ed4a6560b8.fdr', 'utf8');
const CVE2024 = readFileSync('scenarios/history/cve-2024-38580-epi-fget-4efaa5acf0a1.fdr', 'utf8');

/** Extend `path` with moves of thread t until `done` holds for the trace (at most `max` moves). */
async function stepUntil(text: string, variant: string, path: string[], t: number, done: (tr: Trace) => boolean, max = 40): Promise<string[]> {
  for (let i = 0; i < max; i++) {
    const tr = await trace(text, variant, path.join('.'));
    if (done(tr)) return path;
    path = [...path, String(t)];
  }
  throw new Error(`thread ${t} did not reach the condition in ${max} steps`);
}

const last = (tr: Trace) => tr.steps[tr.steps.length - 1]?.state ?? tr.initial;

describe('F.13: the final fput under ep->mtx is deferred, not a deadlock', () => {
  it('current: T1 pins X with epi_fget, T2 drops its fd, T1 makes the final put and runs __fput(X) from task_work', async () => {
    let path: string[] = [];
    path = await stepUntil(F13, 'current', path, 0, (tr) => last(tr).threads[0]!.held.includes('X'));
    path = await stepUntil(F13, 'current', path, 1, (tr) => last(tr).threads[1]!.status === 'done');
    path = await stepUntil(F13, 'current', path, 0, (tr) => last(tr).threads[0]!.status === 'done');
    const tr = await trace(F13, 'current', path.join('.'));
    expect(tr.violation).toBeNull();
    const fput = tr.steps.find((s) => s.changes.includes('X.ref 1 -> 0'))!;
    expect(fput.thread).toBe('T1');
    expect(fput.state.epolls[0]!.mtx).toBe('T1'); // the final put happens with E->mtx held ...
    expect(tr.steps.some((s) => s.thread === 'T1' && s.op === '__fput(X) (task_work)')).toBe(true); // ... and __fput later
    expect(last(tr).files.find((f) => f.name === 'X')!.life).toBe('freed');
  });

  it('no variant reports a deadlock for it', async () => {
    for (const v of ['v6.2', 'current']) {
      const r = await check(F13, v);
      expect(r.violations.filter((x) => x.property === 'deadlock')).toEqual([]);
    }
  });
});

describe('historical bugs appear only without their fixes', () => {
  it('4ff36ee94d93: the DEL ABBA deadlock, with a lockdep-style splat', async () => {
    const fixed = await check(ABBA, 'v6.2');
    expect(fixed.verdict).toBe('pass');
    const broken = await check(ABBA, 'v6.2~ctl-del-nested-fix');
    expect(broken.verdict).toBe('deadlock');
    expect(broken.violations.map((v) => v.property).sort()).toEqual(['deadlock', 'lock-order']);
    const splat = broken.violations.find((v) => v.property === 'lock-order')!.splat!;
    expect(splat).toContain('WARNING: possible circular locking dependency detected');
    expect(splat).toContain('T2 is trying to acquire lock:\n  (A.mtx), at: do_epoll_ctl (fs/eventpoll.c)');
    expect(splat).toContain('but task is already holding lock:\n  (B.mtx)');
    expect(splat).toMatch(/CPU0\s+CPU1/);
    expect(splat).toContain('*** DEADLOCK ***');
    const dl = broken.violations.find((v) => v.property === 'deadlock')!;
    const tr = await trace(ABBA, 'v6.2~ctl-del-nested-fix', dl.path, 'deadlock');
    const end = last(tr);
    expect(end.threads.map((t) => [t.name, t.status, t.waitingFor])).toEqual([
      ['T1', 'blocked', 'B.mtx'],
      ['T2', 'blocked', 'A.mtx'],
    ]);
  });

  it('CVE-2020-0466 (a9ed4a6560b8): a listed file freed under the loop check', async () => {
    expect((await check(CVE2020, 'v6.2')).verdict).toBe('pass');
    const broken = await check(CVE2020, 'v6.2~check-list-ref');
    expect(broken.violations.map((v) => [v.property, v.kind])).toEqual([['no-uaf', 'UafFile']]);
  });

  it('CVE-2024-38580 (4efaa5acf0a1): ->poll on a file whose count is zero', async () => {
    expect((await check(CVE2024, 'current')).verdict).toBe('pass');
    const broken = await check(CVE2024, 'current~epi-fget');
    expect(broken.violations.map((v) => [v.property, v.kind])).toEqual([['refcount', 'PollDeadFile']]);
  });
});
