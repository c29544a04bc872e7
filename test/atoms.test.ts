// Atoms and the `when` modality (model/atoms.ts), each on a tiny scenario whose verdict is derived by hand.
import { describe, expect, it } from 'vitest';
import { compare } from '../checker/expected.ts';
import { parseScenario } from '../checker/scenario/parse.ts';
import type { ScenarioError } from '../checker/scenario/types.ts';
import { checkVariantSpec } from '../checker/variants.ts';
import { check, trace } from './util/run.ts';

const parse = (text: string) => parseScenario(text, 't.fdr', { variants: checkVariantSpec });
const error = (text: string): string => {
  try {
    parse(text);
  } catch (e) {
    return (e as ScenarioError).format();
  }
  return 'no error';
};

async function verdict(text: string, variant: string): Promise<{ failed: string[]; states: number; matches: boolean }> {
  const r = await check(text, variant);
  return { failed: [...new Set(r.violations.map((v) => v.property))].sort(), states: r.stats.states, matches: compare(parse(text), r, variant).matches };
}

// One thread deletes the only registration twice. The first DEL finds the item (0), the second does not
// (-ENOENT). One thread, so the state graph is a line: the initial state and one state per step (18 steps).
const DEL_TWICE = (expects: string, result: string) => `scenario a
file X socket
epoll E
process P
  fd 3 = X
  fd 4 = E
watch E (X, 3) IN|OUT data=7
thread T in P
  epoll_ctl(4, DEL, 3)
  epoll_ctl(4, DEL, 3)
${expects}
variants current
result current ${result}
`;

// Two epoll_wait on one epoll: ep_send_events holds ep->mtx; the other thread's ep_send_events waits for it.
const TWO_WAITS = (expects: string, result: string) => `scenario b
file X socket
epoll E
process P
  fd 3 = X
  fd 4 = E
watch E (X, 3) IN
thread T1 in P
  epoll_wait(4)
thread T2 in P
  epoll_wait(4)
${expects}
variants v6.2
result v6.2 ${result}
`;

describe("T.op[K].ret: the value at the op's return", () => {
  it('holds only once the op has returned', async () => {
    // At the end op 1 returned 0 and op 2 -ENOENT. Before op 2 returns the atom is false, so `always` fails in
    // the initial state (a 0-step counterexample); `never T.op[2].ret == 0` holds (it never returns 0).
    const text = DEL_TWICE(
      'expect r1: at end T.op[1].ret == 0 && T.op[2].ret == -ENOENT\nexpect r2: always T.op[2].ret == -ENOENT\nexpect r3: never T.op[2].ret == 0',
      'violation(r2)',
    );
    const v = await verdict(text, 'current');
    expect(v).toEqual({ failed: ['r2'], states: 22, matches: true });
    const r = await check(text, 'current');
    expect(r.violations[0]!.steps).toBe(0);
  });
});

describe('when T.op[K] returns', () => {
  it('checks the state the return makes, and only that one', async () => {
    // When DEL returns, the item is gone, ep->mtx is free and ep->refcount dropped from 2 (file + item) to 1.
    const text = DEL_TWICE(
      'expect w1: when T.op[1] returns: !(E has (X, 3)) && E.mtx free && E.item(X, 3).state == absent && E.refcount == 1\n' +
        'expect w2: when T.op[1] returns: E.refcount == 2',
      'violation(w2)',
    );
    const v = await verdict(text, 'current');
    expect(v).toEqual({ failed: ['w2'], states: 22, matches: true });
    const r = await check(text, 'current');
    const w2 = r.violations.find((x) => x.property === 'w2')!;
    expect(w2.kind).toBe('when');
    expect(w2.message).toBe('when T.op[1] returns: E.refcount == 2');
    // The counterexample ends with the return step (op 1's last step is the 12th).
    expect(w2.path).toBe('0*15');
    const t = await trace(text, 'current', w2.path, 'w2');
    expect(t.violation?.message).toBe('when T.op[1] returns: E.refcount == 2');
  });
});

describe('lock atoms', () => {
  it('owner, free, held and waiters of ep->mtx', async () => {
    // At most one thread holds E.mtx and the other may wait for it: waiters == 1 is reachable, 2 is not.
    // epoll_wait takes the epoll file with fget (two tasks share the table), which is RCU, not file_lock.
    const ok = TWO_WAITS(
      'expect w1: sometimes E.mtx waiters == 1\nexpect w2: never E.mtx waiters == 2\n' +
        'expect o: always E.mtx free || E.mtx owner == T1 || E.mtx owner == T2\n' +
        'expect h: always E.mtx free || T1 at ep_send_events || T2 at ep_send_events\n' +
        'expect fl: never P.file_lock held\nexpect xl: never X.f_lock held',
      'pass',
    );
    expect(await verdict(ok, 'v6.2')).toEqual({ failed: [], states: 72, matches: true });
    const bad = TWO_WAITS('expect w: never E.mtx waiters == 1\nexpect o: never E.mtx owner == T2', 'violation(w, o)');
    expect(await verdict(bad, 'v6.2')).toEqual({ failed: ['o', 'w'], states: 72, matches: true });
  });
});

describe('epitem, eventpoll and file atoms', () => {
  it('events, data, item state, refcount, ep_state, T at FUNCTION, quiescent', async () => {
    // The watch has IN|OUT (ERR and HUP are implied) and data 7 until DEL unlinks it; T is in ep_remove at some
    // point and never in ep_insert; the thread is inside a syscall at some point, so `always quiescent` fails.
    const text = DEL_TWICE(
      'expect ev: always E.events(X, 3) == IN|OUT || !(E has (X, 3))\n' +
        'expect ev2: always E.events(X, 3) has OUT || E.item(X, 3).state == absent\n' +
        'expect ev3: never E.events(X, 3) has ET\n' +
        'expect d: always E.data(X, 3) == 7 || !(E has (X, 3))\n' +
        'expect rc: at end E.refcount == 1 && E.ep_state == live && X.state == live\n' +
        'expect at1: sometimes T at ep_remove\nexpect at2: never T at ep_insert\nexpect at3: at end T at user\n' +
        'expect q: always quiescent\nexpect q2: at end quiescent',
      'violation(q)',
    );
    expect(await verdict(text, 'current')).toEqual({ failed: ['q'], states: 22, matches: true });
  });

  it('lifetimes: a closed epoll is freed, a created one is unborn first', async () => {
    const text = `scenario c
file X socket
epoll E
epoll E2
process P
  fd 3 = X
  fd 4 = E
thread T in P
  close(4)
  epoll_create(E2)
expect e1: at end E.ep_state == freed && E.state == freed && E2.ep_state == live && E2.state == live
expect e2: sometimes E2.state == unborn && E2.ep_state == unborn
expect e3: never E.ep_state == orphan
variants v6.2 current
result v6.2 pass
result current pass
`;
    expect((await verdict(text, 'v6.2')).failed).toEqual([]);
    expect((await verdict(text, 'current')).failed).toEqual([]);
  });
});

describe('parse errors name the atoms', () => {
  it('reports each at its token', () => {
    const at = (e: string) => error(DEL_TWICE(`expect x: ${e}`, 'pass'));
    expect(at('always E.mtx busy')).toBe("t.fdr:11:24: error: expected free, held, owner or waiters after 'E.mtx', found 'busy'");
    expect(at('always T at ep_frob')).toBe(
      `t.fdr:11:23: error: unknown kernel function 'ep_frob' (known: user, close_fd, ksys_dup, ksys_dup3, replace_fd, do_epoll_ctl, fget, fput, do_epoll_wait, do_epoll_create, dup_fd, pidfd_getfd, seccomp_do_user_notification, seccomp_notify_recv, seccomp_notify_addfd, seccomp_notify_send, kcmp, io_uring, expand_fdtable, fdget, filp_close, __fput, ep_insert, ep_remove, eventpoll_release_file, ep_free, eventpoll_replace_file, iterate_fd, alloc_fd, ep_clear_and_put, ep_send_events, ep_loop_check_proc)`,
    );
    expect(at('always T.op[3].ret == 0')).toBe('t.fdr:11:23: error: operation 3 is out of range: thread T has 2 operations (1..2)');
    expect(at('when T.op[1] return: quiescent')).toBe("t.fdr:11:24: error: expected 'returns' after 'T.op[1]', found 'return'");
    expect(at('always E.item(X, 3).state == gone')).toBe("t.fdr:11:40: error: expected live, dying or absent after '==', found 'gone'");
    expect(at('always E.ep_state == dying')).toBe("t.fdr:11:32: error: expected live, orphan, freed or unborn after '==', found 'dying'");
    expect(at('always X.bogus')).toMatch(/unknown property '.bogus' \(expected .fd\[N\], .count\(F, N\), .ref, .state, .ret, .done, .op\[K\].ret, .mtx/);
    expect(at('always X.mtx free')).toBe("t.fdr:11:18: error: 'X' is a socket file, not an epoll (declared epolls: E)");
  });
});
