// registration-follows-fd, complete, and stale-registration at the replacement's return: concurrent DEL / ADD /
// MOD of the replaced fd, event masks and data compared. Each case: fd 3 = OLD is replaced by NEW while a second
// thread of the target works on fd 3's registration in E.
import { describe, expect, it } from 'vitest';
import { check } from './util/run.ts';

const REPLACE_WITH = (watch: string, op: string) => `scenario r
file OLD socket
file NEW socket
epoll E
process P
  fd 3 = OLD
  fd 4 = OLD
  fd 5 = E
process S
  fd 3 = NEW
${watch}
thread T in P
  replace(3, NEW)
thread T2 in P
  ${op}
check registration-follows-fd
check stale-registration
variants v6.2 rfc-v4 rfc-v7
result v6.2 pass
result rfc-v4 pass
result rfc-v7 pass
`;

async function kinds(text: string, variant: string): Promise<string[]> {
  const r = await check(text, variant);
  return [...new Set(r.violations.map((v) => v.qualified ?? v.property))].sort();
}

const FOLLOWS_BOTH = ['registration-follows-fd.at-end', 'registration-follows-fd.at-return', 'stale-registration.at-end', 'stale-registration.at-return'];

describe('registration-follows-fd with concurrent registration changes', () => {
  it('a concurrent DEL may remove the registration', async () => {
    const text = REPLACE_WITH('watch E (OLD, 3) IN data=3', 'epoll_ctl(5, DEL, 3)');
    // v6.2 does not move registrations: when the DEL runs after the replacement it looks up (NEW, 3), gets
    // -ENOENT, and (OLD, 3) stays, at the return and at the end.
    expect(await kinds(text, 'v6.2')).toEqual(FOLLOWS_BOTH);
    // RFC v7 moves it; the DEL either removes (OLD, 3) before the move or finds nothing to remove after the
    // move (the moved (NEW, 3) is the registration, with its events and data): no follows finding. A DEL in
    // flight when the replacement returns (the item off f_ep, still in the rbtree) is not a stale registration.
    // RFC v7's own tfile_check_list leak (F.20) remains.
    expect(await kinds(text, 'rfc-v7')).toEqual(['check-list.leak']);
  });

  it('a concurrent ADD of the replaced fd must end keyed (NEW, 3)', async () => {
    const text = REPLACE_WITH('', 'epoll_ctl(5, ADD, 3, IN, data=7)');
    // An ADD that took OLD before the replacement inserts (OLD, 3) after the RFC's walk: nothing moves it.
    expect(await kinds(text, 'rfc-v7')).toEqual(['check-list.leak', ...FOLLOWS_BOTH]);
    expect(await kinds(text, 'v6.2')).toEqual(FOLLOWS_BOTH);
  });

  it("a concurrent MOD: either the watch's or the MOD's events and data are a followed registration", async () => {
    const text = REPLACE_WITH('watch E (OLD, 3) IN data=3', 'epoll_ctl(5, MOD, 3, OUT, data=9)');
    expect(await kinds(text, 'rfc-v4')).toEqual(['check-list.leak']);
    expect(await kinds(text, 'rfc-v7')).toEqual(['check-list.leak']);
    expect(await kinds(text, 'v6.2')).toEqual(FOLLOWS_BOTH);
  });

  it('the moved registration must keep its events: a userspace fix-up that re-adds with IN loses OUT', async () => {
    // The supervisor replaces fd 3 (ADDFD), then re-registers fd 3 in the target's epoll with IN and data 3 and
    // deletes the old key (the userspace design of F.1). With a watch of IN the copy is exact; with IN|OUT the
    // copy has lost OUT, which keys and data alone would not show.
    const text = (events: string) => `scenario u
file OLD socket
file NEW socket
epoll E
process P
  fd 3 = OLD
  fd 4 = OLD
  fd 5 = E
process S
  fd 3 = NEW
watch E (OLD, 3) ${events} data=3
thread T in P
  seccomp_trap()
thread U in S
  recv()
  addfd(3, 3)
  pidfd_getfd(P, 5)
  epoll_ctl(0, ADD, 3, IN, data=3)
  pidfd_getfd(P, 4)
  dup2(1, 3)
  epoll_ctl(0, DEL, 3)
  send()
check registration-follows-fd
variants userspace
result userspace pass
`;
    const ok = await check(text('IN'), 'userspace');
    expect([ok.verdict, ok.stats.states]).toEqual(['pass', 122]);
    expect(await kinds(text('IN|OUT'), 'userspace')).toEqual(['registration-follows-fd.at-end', 'registration-follows-fd.at-return']);
  });
});
