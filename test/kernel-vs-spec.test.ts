// The Wasm kernel against a plain sequential specification (test/spec/sequential.ts), one thread at a time.
// With a single thread there is exactly one path (step thread 0 until it finishes), so the kernel's final
// state must be what the syscalls mean: every return value, every fd table, every file's count and life,
// every epoll's interest list (file, fd, events, data), the fget() holders and the epoll_watches counter; and
// no invariant may fire on the way. Random scenarios are rendered as .fdr text and go through the real parser
// and compiler (test/spec/harness.ts).
//
// FDRACE_SPEC_SEED / FDRACE_SPEC_RUNS override the fixed seed and the run count (for local soak runs).

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FdraceExports } from '../checker/kernel/exports.ts';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { check, report, scenarioArb, type GenScenario, type Outcome } from './spec/harness.ts';

const SEED = Number(process.env.FDRACE_SPEC_SEED ?? 0x5eed);
const RUNS = Number(process.env.FDRACE_SPEC_RUNS ?? 400);

// ---- tests -------------------------------------------------------------------------------------------------

let x: FdraceExports;
beforeAll(async () => {
  x = await loadKernel();
});

/** Run a hand-written scenario given as GenScenario and return the outcome (asserting nothing). */
function run(g: GenScenario): Outcome {
  return check(x, g);
}

function expectAgree(o: Outcome): void {
  if (o.diffs.length > 0) throw new Error(report(x, o));
}

const sock = (name: string) => ({ name, kind: 'socket' as const });
const ep = (name: string) => ({ name, kind: 'epoll' as const });

describe('the Wasm kernel agrees with the sequential specification (one thread)', () => {
  it(`on ${RUNS} random scenarios (seed ${SEED})`, () => {
    fc.assert(
      fc.property(scenarioArb(), (g) => {
        const o = check(x, g);
        if (o.diffs.length > 0) throw new Error(report(x, o));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: false },
    );
  });
});

describe('examples, with exact values', () => {
  it('close then dup reuses the lowest free fd', () => {
    const g: GenScenario = {
      files: [sock('A'), sock('B')],
      processes: [{ name: 'P', fds: [[0, 'A'], [1, 'A'], [2, 'B'], [3, 'B']] }],
      watches: [],
      thread: { name: 'T', process: 'P' },
      ops: [{ kind: 'close', fd: 1 }, { kind: 'close', fd: 0 }, { kind: 'dup', fd: 3 }, { kind: 'dup', fd: 2 }, { kind: 'dup', fd: 2 }],
    };
    const o = run(g);
    expectAgree(o);
    expect(o.specRets).toEqual([0, 0, 0, 1, 4]);
    expect(o.kernel.final.threads[0]!.returns).toEqual([0, 0, 0, 1, 4]);
    expect(o.kernel.final.processes[0]!.fds).toEqual([
      { fd: 0, file: 'B' }, { fd: 1, file: 'B' }, { fd: 2, file: 'B' }, { fd: 3, file: 'B' }, { fd: 4, file: 'B' },
    ]);
    expect(o.kernel.final.files.map((f) => [f.name, f.ref, f.life])).toEqual([['A', 0, 'freed'], ['B', 5, 'live']]);
  });

  it('dup2 over a watched fd drops the epitem only when that was the last reference', () => {
    const base = (fds: [number, string][]): GenScenario => ({
      files: [sock('A'), sock('B'), ep('E')],
      processes: [{ name: 'P', fds }],
      watches: [{ epoll: 'E', file: 'A', fd: 3, events: ['IN'], data: 3, terse: true }],
      thread: { name: 'T', process: 'P' },
      ops: [{ kind: 'dup2', oldfd: 4, newfd: 3 }],
    });
    // fd 3 is A's only reference: dup2 closes A, __fput's eventpoll_release removes (A, 3).
    const last = run(base([[3, 'A'], [4, 'B'], [5, 'E']]));
    expectAgree(last);
    expect(last.kernel.final.threads[0]!.returns).toEqual([3]);
    expect(last.kernel.final.files.find((f) => f.name === 'A')).toMatchObject({ ref: 0, life: 'freed' });
    expect(last.kernel.final.epolls[0]!.items).toEqual([]);
    expect(last.kernel.final.global.watches).toBe(0);
    // fd 6 still refers to A: A lives, and (A, 3) stays although fd 3 is now B.
    const more = run(base([[3, 'A'], [4, 'B'], [5, 'E'], [6, 'A']]));
    expectAgree(more);
    expect(more.kernel.final.threads[0]!.returns).toEqual([3]);
    expect(more.kernel.final.files.find((f) => f.name === 'A')).toMatchObject({ ref: 1, life: 'live' });
    expect(more.kernel.final.epolls[0]!.items.map((i) => [i.file, i.fd, i.events, i.data])).toEqual([['A', 3, ['IN', 'ERR', 'HUP'], 3]]);
  });

  it('ADD twice gives EEXIST; DEL then MOD gives ENOENT; regular file EPERM; non-epoll epfd EINVAL', () => {
    const g: GenScenario = {
      files: [sock('A'), { name: 'R', kind: 'regular' }, ep('E')],
      processes: [{ name: 'P', fds: [[3, 'A'], [4, 'R'], [5, 'E']] }],
      watches: [],
      thread: { name: 'T', process: 'P' },
      ops: [
        { kind: 'epoll_ctl', epfd: 5, op: 'ADD', fd: 3, events: ['IN', 'ET'], data: 7 },
        { kind: 'epoll_ctl', epfd: 5, op: 'ADD', fd: 3, events: ['OUT'], data: 8 },
        { kind: 'epoll_ctl', epfd: 5, op: 'MOD', fd: 3, events: ['OUT'], data: 9 },
        { kind: 'epoll_ctl', epfd: 5, op: 'ADD', fd: 4, events: ['IN'], data: 4 },
        { kind: 'epoll_ctl', epfd: 3, op: 'ADD', fd: 3, events: ['IN'], data: 3 },
        { kind: 'epoll_ctl', epfd: 5, op: 'ADD', fd: 5, events: ['IN'], data: 5 },
        { kind: 'epoll_ctl', epfd: 5, op: 'ADD', fd: 9, events: ['IN'], data: 9 },
      ],
    };
    const o = run(g);
    expectAgree(o);
    expect(o.kernel.final.threads[0]!.returns).toEqual([0, -17, 0, -1, -22, -22, -9]);
    expect(o.kernel.final.epolls[0]!.items.map((i) => [i.file, i.fd, i.events, i.data])).toEqual([['A', 3, ['OUT', 'ERR', 'HUP'], 9]]);
    const del: GenScenario = { ...g, ops: [...g.ops.slice(0, 1), { kind: 'epoll_ctl', epfd: 5, op: 'DEL', fd: 3, events: [], data: 3 }, { kind: 'epoll_ctl', epfd: 5, op: 'MOD', fd: 3, events: ['IN'], data: 1 }] };
    const od = run(del);
    expectAgree(od);
    expect(od.kernel.final.threads[0]!.returns).toEqual([0, 0, -2]);
  });

  it('replace swaps one slot and leaves the items keyed on the old file while it lives', () => {
    const g: GenScenario = {
      files: [sock('OLD'), sock('NEW'), ep('E')],
      processes: [{ name: 'P', fds: [[3, 'OLD'], [4, 'OLD'], [5, 'E']] }, { name: 'S', fds: [[3, 'NEW']] }],
      watches: [{ epoll: 'E', file: 'OLD', fd: 3, events: ['IN'], data: 3, terse: false }],
      thread: { name: 'T', process: 'P' },
      ops: [
        { kind: 'replace', fd: 3, file: 'NEW' },
        { kind: 'epoll_ctl', epfd: 5, op: 'DEL', fd: 3, events: [], data: 3 },
        { kind: 'close', fd: 4 },
        { kind: 'replace', fd: 4, file: 'OLD' },
      ],
    };
    const o = run(g);
    expectAgree(o);
    // DEL of fd 3 looks for (NEW, 3): ENOENT. Closing fd 4 frees OLD, which takes (OLD, 3) with it; then the
    // supervisor's OLD is gone: EBADF.
    expect(o.kernel.final.threads[0]!.returns).toEqual([3, -2, 0, -9]);
    expect(o.kernel.final.processes[0]!.fds).toEqual([{ fd: 3, file: 'NEW' }, { fd: 5, file: 'E' }]);
    expect(o.kernel.final.files.map((f) => [f.name, f.ref, f.life])).toEqual([['OLD', 0, 'freed'], ['NEW', 2, 'live'], ['E', 1, 'live']]);
    expect(o.kernel.final.epolls[0]!.items).toEqual([]);
    // Before the close, (OLD, 3) is still there although fd 3 is NEW.
    const mid = run({ ...g, ops: g.ops.slice(0, 2) });
    expectAgree(mid);
    expect(mid.kernel.final.epolls[0]!.items.map((i) => [i.file, i.fd])).toEqual([['OLD', 3]]);
  });
});
