// The fs/file.c and fs/file_table.c history toggles (checker/history/file-fixes.ts): each old step program
// explored on a tiny scenario, with the counts and findings derived from the kernel code before and after.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILE_FIXES } from '../checker/history/file-fixes.ts';
import { TOGGLES, parseVariant } from '../checker/variants.ts';
import { check, trace } from './util/run.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** A scenario text with every variant it is run on declared (the parser wants a result line for each). */
function sc(body: string, variants: string[]): string {
  return `scenario t\n${body.trim()}\n\nvariants ${variants.join(' ')}\n${variants.map((v) => `result ${v} pass`).join('\n')}\n`;
}

describe('the file-side toggles', () => {
  it('are in the CLI list, in the bit range of issue 10 (1<<23 .. 1<<30), and every fix names its scenario', () => {
    for (const t of FILE_FIXES) {
      expect(TOGGLES.find((x) => x.name === t.name)?.bit).toBe(t.bit);
      expect(t.bit >= 2 ** 23 && t.bit <= 2 ** 30).toBe(true);
      if (t.kind === 'fix') expect(read(t.scenario!)).toContain(`${t.commit}`);
    }
  });

  it('are all on in v6.2 and current; the v6.4-era presets have neither file_ref_t nor fput_close', () => {
    const on = (v: string, name: string) => (parseVariant(v).toggles & TOGGLES.find((x) => x.name === name)!.bit) !== 0;
    for (const name of ['fput-task-work', 'fget-dup2-retry', 'fd-install-lockless']) {
      for (const v of ['v6.2', 'current', 'current-pre-6.16', 'rfc-v4', 'rfc-v7']) expect(on(v, name), `${v} ${name}`).toBe(true);
    }
    for (const name of ['file-ref', 'fput-close']) {
      expect(on('current', name)).toBe(true);
      for (const v of ['v6.2', 'current-pre-6.16', 'rfc-v7', 'rfc-v6']) expect(on(v, name), `${v} ${name}`).toBe(false);
    }
  });
});

describe('fget-dup2-retry: 5ba97d2832f8 "fs/file.c: __fget() and dup2() atomicity rules" (v4.2)', () => {
  const text = read('scenarios/history/fget-dup2-5ba97d2832f8.fdr');

  it('without it, fget(3) racing dup2(4, 3) fails with EBADF; with it, it always finds X or Y', async () => {
    const fixed = await check(text, 'v6.2');
    expect(fixed.verdict).toBe('pass');
    const old = await check(text, 'v6.2~fget-dup2-retry');
    expect(old.verdict).toBe('violation');
    expect(old.violations.map((v) => v.property)).toEqual(['found']);
    // Without the retry T0's fget ends with EBADF after the failed get_file_rcu and its fput() finds nothing held.
    expect([fixed.stats.states, old.stats.states]).toEqual([71, 77]);
  });

  it('the counterexample: T0 reads X, dup2 stores Y and drops X to zero, get_file_rcu fails, fget returns EBADF', async () => {
    const r = await check(text, 'v6.2~fget-dup2-retry');
    const tr = await trace(text, 'v6.2~fget-dup2-retry', r.violations[0]!.path, 'found');
    const steps = tr.steps.map((s) => `${s.thread}:${s.label}`);
    const read0 = steps.indexOf('T0:FgetRead');
    const put = steps.indexOf('T1:Fput');
    expect(read0).toBeGreaterThanOrEqual(0);
    expect(put).toBeGreaterThan(read0);
    expect(tr.steps[put]!.changes).toContain('X.ref 1 -> 0');
    // T0's increment comes after the put and finds zero: no retry, fget returns -EBADF.
    const inc = steps.indexOf('T0:FgetIncNotZero', put);
    expect(inc).toBeGreaterThan(put);
    expect(steps.slice(inc + 1)).not.toContain('T0:FgetRead');
    expect(tr.steps[inc]!.state.threads[0]!.returns[0]).toBe(-9);
  });
});

describe('fd-install-lockless: 8a81252b774b "fs/file.c: don\'t acquire files->file_lock in fd_install()" (v4.2)', () => {
  // dup(3) installs X at fd 0 while T1 closes fd 4 under file_lock. Lockless, the install may land while T1 holds
  // file_lock; before the change fd_install takes file_lock itself and waits.
  const text = sc(
    `
file X socket
file Y socket
process P
  fd 3 = X
  fd 4 = Y
thread T0 in P
  dup(3)
thread T1 in P
  close(4)
expect e: when T0.op[1] returns: P.file_lock owner != T1`,
    ['v6.2', 'v6.2~fd-install-lockless'],
  );

  it('lockless, dup returns while the closer holds file_lock; with the lock it cannot', async () => {
    const now = await check(text, 'v6.2');
    expect(now.violations.map((v) => v.property)).toEqual(['e']);
    const old = await check(text, 'v6.2~fd-install-lockless');
    expect(old.verdict).toBe('pass');
    expect([now.stats.states, old.stats.states]).toEqual([67, 65]);
  });
});

describe('fput-task-work: 4a9d4b024a31 "switch fput to task_work_add" (v3.6)', () => {
  it("before it, the last fput under ep->mtx (epi_fget's put in ep_item_poll) runs __fput inline: AA on ep->mtx", async () => {
    const text = read('scenarios/history/cve-2024-38580-epi-fget-4efaa5acf0a1.fdr');
    expect((await check(text, 'current')).verdict).toBe('pass');
    const old = await check(text, 'current~fput-task-work');
    expect(old.verdict).toBe('violation');
    expect(old.violations.map((v) => v.property)).toEqual(['locks']);
  });
});

describe("file-ref and fput-close: file_ref_t (90ee6ed776c0, v6.13) and filp_close's one-cmpxchg put (a914bd93f3ed, v6.15)", () => {
  // T0 and T1 fget(3) and fput() X; T2 closes fd 3. When T1's put is the last while T0 holds a lockless pointer to
  // X, file_ref_put leaves FILE_REF_NOREF for one step: T0's file_ref_get revives X and T1's cmpxchg fails.
  const text = sc(
    `
file X socket
process P
  fd 3 = X
thread T0 in P
  fget(3)
  fput()
thread T1 in P
  fget(3)
  fput()
thread T2 in P
  close(3)
expect noref: never X.ref == 0 && X.state == live
expect gone: at end X.state == freed`,
    ['current', 'current~file-ref', 'current~fput-close', 'v6.2'],
  );

  it('only file_ref_t has the NOREF window; X is freed exactly once on every path', async () => {
    const cur = await check(text, 'current');
    expect(cur.violations.map((v) => v.property)).toEqual(['noref']);
    for (const v of ['current~file-ref', 'v6.2']) expect((await check(text, v)).verdict, v).toBe('pass');
    // Without fput_close, close's filp_close has the window too.
    const noClose = await check(text, 'current~fput-close');
    expect(noClose.violations.map((v) => v.property)).toEqual(['noref']);
    expect([cur.stats.states, noClose.stats.states, (await check(text, 'current~file-ref')).stats.states]).toEqual([538, 669, 506]);
  });
});
