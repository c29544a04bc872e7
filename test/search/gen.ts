// Random scenarios for property tests: .fdr text (parsed by the real parser), small enough to explore fully.
// Two processes, sockets and up to two epolls, two or three threads with one or two operations each, initial
// watches, expectations of every modality (so that the reductions' handling of properties is exercised), and
// sometimes a fault budget or identical threads (symmetry).

import fc from 'fast-check';

export interface Gen {
  text: string;
  variant: string;
}

const op = (fds: number[], epfds: number[]) =>
  fc.oneof(
    fc.constantFrom(...fds).map((n) => `close(${n})`),
    fc.constantFrom(...fds).map((n) => `dup(${n})`),
    fc.tuple(fc.constantFrom(...fds), fc.constantFrom(...fds)).map(([a, b]) => `dup2(${a}, ${b})`),
    fc.tuple(fc.constantFrom(...epfds), fc.constantFrom('ADD', 'DEL', 'MOD'), fc.constantFrom(...fds)).map(([e, o, n]) => `epoll_ctl(${e}, ${o}, ${n})`),
    fc.constantFrom(...fds).map((n) => `replace(${n}, NEW)`),
    fc.constantFrom(...fds).map((n) => `fget(${n})\n  fput()`),
  );

export function scenarioArb(variants: string[] = ['v6.2', 'current', 'rfc-v4']): fc.Arbitrary<Gen> {
  return fc
    .record({
      variant: fc.constantFrom(...variants),
      twoEpolls: fc.boolean(),
      shared: fc.boolean(),
      faults: fc.constantFrom(0, 0, 1),
      watch: fc.constantFrom('none', 'a', 'b', 'both'),
      threads: fc.array(fc.tuple(fc.constantFrom('P', 'Q'), fc.array(op([3, 4, 5], [6, 7]), { minLength: 1, maxLength: 2 })), {
        minLength: 2,
        maxLength: 3,
      }),
      twin: fc.boolean(),
      expect: fc.constantFrom('always', 'never', 'sometimes', 'at end', 'none'),
      exprKind: fc.constantFrom('fd', 'ref', 'has', 'done'),
    })
    .map((g) => {
      const lines = ['scenario gen', 'file A socket', 'file B socket', 'file NEW socket', 'epoll E'];
      if (g.twoEpolls) lines.push('epoll E2');
      lines.push('process P', '  fd 3 = A', '  fd 4 = B', '  fd 5 = A', '  fd 6 = E');
      if (g.twoEpolls) lines.push('  fd 7 = E2');
      if (g.shared) lines.push('process Q shares P');
      else lines.push('process Q', '  fd 3 = B', '  fd 4 = A', '  fd 6 = E');
      lines.push('process S', '  fd 3 = NEW');
      if (g.watch === 'a' || g.watch === 'both') lines.push('watch E (A, 3) IN');
      if (g.watch === 'b' || g.watch === 'both') lines.push('watch E (B, 4) IN');
      const threads = g.twin ? [g.threads[0]!, g.threads[0]!, ...g.threads.slice(1, 2)] : g.threads;
      threads.forEach(([proc, ops], i) => {
        lines.push(`thread T${i} in ${proc}`);
        // Only fds that exist in the thread's table may be epoll fds of Q's table (no E2 there).
        for (const o of ops) lines.push(`  ${proc === 'Q' && !g.shared ? o.replace('epoll_ctl(7,', 'epoll_ctl(6,') : o}`);
      });
      const expr = g.exprKind === 'fd' ? 'P.fd[3] == A' : g.exprKind === 'ref' ? 'A.ref >= 1' : g.exprKind === 'has' ? 'E has (A, 3)' : 'T1.done';
      if (g.expect !== 'none') lines.push(`expect x: ${g.expect} ${expr}`);
      if (g.faults) lines.push(`option faults ${g.faults}`);
      lines.push(`variants ${g.variant}`, `result ${g.variant} pass`);
      return { text: `${lines.join('\n')}\n`, variant: g.variant };
    });
}
