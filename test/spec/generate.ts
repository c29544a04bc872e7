// The generator of random one-thread scenarios (fast-check). GenOptions can leave out whole classes of scenario:
// the strict property uses the defaults; the options exist so that a known disagreement can stay pinned by an
// example while everything else stays guarded.

import fc from 'fast-check';
import { EVENT_ORDER, RING_SLOTS, SequentialSpec, type SpecEvent } from './sequential.ts';
import { renderScenario, specInit, stripOp, type GenOp, type GenScenario } from './render.ts';

// ---- the generator -----------------------------------------------------------------------------------------

/** How an fd argument is chosen: an fd the table holds at that point of the run (the generator runs the
 *  specification as it goes), a small number (often unused), or a number likely outside the table. */
export type FdChoice = { used: number } | { small: number } | { far: number };
const fdChoice: fc.Arbitrary<FdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(31).map((used) => ({ used })) },
  { weight: 3, arbitrary: fc.nat(11).map((small) => ({ small })) },
  { weight: 1, arbitrary: fc.integer({ min: 9, max: 80 }).map((far) => ({ far })) },
);
const eventsArb: fc.Arbitrary<SpecEvent[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<SpecEvent[]>(['IN']) },
  { weight: 3, arbitrary: fc.subarray([...EVENT_ORDER], { minLength: 1 }) },
);
const dataArb = fc.oneof({ weight: 1, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: fc.nat(255) }); // -1: the fd
const epfdArb = fc.oneof({ weight: 4, arbitrary: fc.nat(7).map((epoll) => ({ epoll })) }, { weight: 1, arbitrary: fdChoice });
/** A fixed slot: a small one, any one, or (`busy`) one in use at that point of the run. */
type SlotChoice = number | { busy: number };
const slotArb: fc.Arbitrary<SlotChoice> = fc.oneof(
  { weight: 2, arbitrary: fc.nat(1) },
  { weight: 1, arbitrary: fc.nat(RING_SLOTS - 1) },
  { weight: 4, arbitrary: fc.nat(3).map((busy) => ({ busy })) },
);

type RawOp = { skip: boolean } & (
  | { kind: 'close' | 'dup' | 'fget'; fd: FdChoice }
  | { kind: 'dup2'; oldfd: FdChoice; newfd: FdChoice }
  | { kind: 'replace'; fd: FdChoice; file: number }
  | {
      kind: 'epoll_ctl';
      epfd: FdChoice | { epoll: number };
      op: 'ADD' | 'DEL' | 'MOD';
      /** `watched`: the fd of an item some epoll has now (so that DEL / MOD / EEXIST find something). */
      fd: FdChoice | { watched: number };
      events: SpecEvent[];
      data: number;
      terse: boolean;
    }
  | { kind: 'fput' | 'expand_fdtable' }
  | { kind: 'epoll_wait'; epfd: FdChoice | { epoll: number } }
  | { kind: 'epoll_create'; pick: number }
  | { kind: 'fork' }
  /** proc: index into the processes other than the thread's own first, the thread's own last. */
  | { kind: 'pidfd_getfd'; proc: number; fd: FdChoice }
  /** own `same`: an fd of ours on the file at the other process's fd, if there is one. */
  | { kind: 'kcmp'; proc: number; fd: FdChoice; own: FdChoice | { same: number } }
  | { kind: 'io_uring_register'; slot: SlotChoice; fd: FdChoice }
  | { kind: 'io_uring_unregister' | 'io_uring_io'; slot: SlotChoice }
);

/** `else skip` on about one op in ten; on kcmp (the guard it is meant for) one in three. */
const skipArb = (oneIn: number) => fc.nat(oneIn - 1).map((v) => v === oneIn - 1);
const op = <T extends object>(weight: number, rec: fc.Arbitrary<T>, skipOneIn = 10) => ({
  weight,
  arbitrary: fc.tuple(rec, skipArb(skipOneIn)).map(([r, skip]) => ({ ...r, skip })),
});
const k = <K extends string>(kind: K) => fc.constant(kind);

const rawOp: fc.Arbitrary<RawOp> = fc.oneof(
  op(2, fc.record({ kind: k('close'), fd: fdChoice })),
  op(2, fc.record({ kind: k('dup'), fd: fdChoice })),
  op(3, fc.record({ kind: k('dup2'), oldfd: fdChoice, newfd: fdChoice })),
  op(2, fc.record({ kind: k('replace'), fd: fdChoice, file: fc.nat(15) })),
  op(
    6,
    fc.record({
      kind: k('epoll_ctl'),
      epfd: epfdArb,
      op: fc.constantFrom('ADD' as const, 'ADD' as const, 'DEL' as const, 'MOD' as const),
      fd: fc.oneof(
        { weight: 4, arbitrary: fc.nat(31).map((used) => ({ used })) },
        { weight: 2, arbitrary: fc.nat(7).map((watched) => ({ watched })) },
        { weight: 1, arbitrary: fdChoice },
      ),
      events: eventsArb,
      data: dataArb,
      terse: fc.boolean(),
    }),
  ),
  op(1, fc.record({ kind: k('fget'), fd: fdChoice })),
  op(3, fc.record({ kind: k('fput') })),
  op(2, fc.record({ kind: k('epoll_wait'), epfd: epfdArb })),
  op(2, fc.record({ kind: k('epoll_create'), pick: fc.nat(1) })),
  op(1, fc.record({ kind: k('fork') })),
  op(2, fc.record({ kind: k('pidfd_getfd'), proc: fc.nat(3), fd: fdChoice })),
  op(
    2,
    fc.record({
      kind: k('kcmp'),
      proc: fc.nat(3),
      fd: fdChoice,
      own: fc.oneof({ weight: 1, arbitrary: fc.nat(7).map((same) => ({ same })) }, { weight: 1, arbitrary: fdChoice }),
    }),
    3,
  ),
  op(2, fc.record({ kind: k('io_uring_register'), slot: slotArb, fd: fdChoice })),
  op(1, fc.record({ kind: k('io_uring_unregister'), slot: slotArb })),
  op(1, fc.record({ kind: k('io_uring_io'), slot: slotArb })),
  op(1, fc.record({ kind: k('expand_fdtable') })),
);

const rawScenario = fc.record({
  nProc: fc.integer({ min: 1, max: 2 }),
  shares: fc.boolean(),
  threadProc: fc.nat(1),
  nSock: fc.integer({ min: 1, max: 4 }),
  regular: fc.boolean(),
  // Skewed choices are written as maps of fc.nat so that shrinking still heads for the plain case (0).
  nEp: fc.nat(5).map((v) => (v === 0 ? 0 : v <= 3 ? 1 : 2)),
  slots: fc.array(fc.record({ table: fc.nat(1), fd: fc.nat(9), file: fc.nat(15) }), { maxLength: 14 }),
  watches: fc.array(
    fc.record({
      ep: fc.nat(1),
      /** 'at': watch the file the thread's table has at fd (a registration made through this table). */
      file: fc.oneof({ weight: 2, arbitrary: fc.constant('at' as const) }, { weight: 1, arbitrary: fc.nat(15) }),
      fd: fdChoice,
      events: eventsArb,
      data: dataArb,
      terse: fc.boolean(),
    }),
    { maxLength: 5 },
  ),
  ops: fc.array(rawOp, { minLength: 1, maxLength: 14 }),
  /** `option max_fds` in a third of the scenarios: the largest initial fd + 1 + (0..3). */
  maxFdsExtra: fc.nat(11).map((v) => (v < 8 ? null : v - 8)),
  /** `option max_user_watches 0..7` in one scenario of seven. */
  maxUserWatches: fc.nat(55).map((v) => (v < 48 ? null : v - 48)),
});

type Raw = typeof rawScenario extends fc.Arbitrary<infer T> ? T : never;

/** Classes of scenario the generator may leave out (all in by default, except where noted). */
export interface GenOptions {
  /** fd arguments at or above max_fds (EBADF in the kernel). Off: such fds are folded into the table. */
  outOfTable?: boolean;
  /** epoll_ctl ADD/MOD/DEL whose target is an epoll file. Off: such targets are replaced by fd 0. */
  epollTargets?: boolean;
  /** `option max_user_watches K` (ENOSPC). */
  userWatchLimit?: boolean;
  /** `else skip` on ops. */
  elseSkip?: boolean;
  /** An `else skip` that can jump from between an fget() and its fput() to a last op that is fget(), so that
   *  the thread runs a second fget() while the first reference is still held (the parser's static rule does
   *  not see the jump). Off by default: see the pinned example in test/kernel-vs-spec.test.ts. */
  skipIntoHeldFget?: boolean;
}

const NEW_EPOLLS = ['NE1', 'NE2'];

export function build(r: Raw, opt: GenOptions = {}): GenScenario {
  const { outOfTable = true, epollTargets = true, userWatchLimit = true, elseSkip = true, skipIntoHeldFget = false } = opt;
  const files: GenScenario['files'] = [];
  for (let i = 1; i <= r.nSock; i++) files.push({ name: `S${i}`, kind: 'socket' });
  if (r.regular) files.push({ name: 'R', kind: 'regular' });
  for (let i = 1; i <= r.nEp; i++) files.push({ name: `E${i}`, kind: 'epoll' });
  const initialFiles = [...files];
  const initialEpolls = files.filter((f) => f.kind === 'epoll').map((f) => f.name);
  // Epolls made by epoll_create (each at most once) and the fork child exist only if an op needs them.
  const created = [...new Set(r.ops.flatMap((o) => (o.kind === 'epoll_create' ? [NEW_EPOLLS[o.pick % NEW_EPOLLS.length]!] : [])))].sort();
  for (const e of created) files.push({ name: e, kind: 'epoll' });
  const hasFork = r.ops.some((o) => o.kind === 'fork');

  const shared = r.nProc === 2 && r.shares;
  const nTables = r.nProc === 2 && !shared ? 2 : 1;
  const tables: Map<number, string>[] = Array.from({ length: nTables }, () => new Map());
  for (const s of r.slots) {
    const t = tables[s.table % nTables]!;
    if (!t.has(s.fd)) t.set(s.fd, initialFiles[s.file % initialFiles.length]!.name);
  }
  const threadTable = shared ? 0 : r.threadProc % r.nProc;
  initialFiles.forEach((f, i) => {
    if (tables.some((t) => [...t.values()].includes(f.name))) return;
    const t = tables[i % 3 === 2 ? (threadTable + 1) % nTables : threadTable]!;
    let fd = 0;
    while (t.has(fd)) fd++;
    t.set(fd, f.name);
  });
  const processes: GenScenario['processes'] = [{ name: 'P1', fds: [...tables[0]!] }];
  if (r.nProc === 2) processes.push(shared ? { name: 'P2', shares: 'P1', fds: [] } : { name: 'P2', fds: [...tables[1]!] });
  if (hasFork) processes.push({ name: 'C', fds: [] });
  const threadProcess = processes[r.threadProc % r.nProc]!.name;
  const myTableName = shared ? 'P1' : threadProcess;
  // Other processes first (the interesting targets of pidfd_getfd and kcmp), the thread's own last.
  const targets = [...processes.filter((p) => (p.shares ?? p.name) !== myTableName), ...processes.filter((p) => (p.shares ?? p.name) === myTableName)].map(
    (p) => p.name,
  );
  const myTable = tables[threadTable]!;
  const maxInit = Math.max(0, ...tables.flatMap((t) => [...t.keys()]));
  const maxFds = r.maxFdsExtra === null ? undefined : Math.min(64, maxInit + 1 + r.maxFdsExtra);

  // Without the option the table has at least 8 slots and grows to cover every fd the scenario names (at most 64).
  const limit = maxFds ?? 64;
  const fold = (n: number): number => (outOfTable || n < limit ? n : n % limit);
  const pickFd = (c: FdChoice, fds: number[]): number =>
    fold('used' in c ? (fds.length > 0 ? fds[c.used % fds.length]! : c.used % 10) : 'small' in c ? c.small : c.far);

  // Initial watches: unique keys, pollable targets, no epoll watching itself, no epoll loop.
  const myInitFds = [...myTable.keys()].sort((a, b) => a - b);
  const watches: GenScenario['watches'] = [];
  if (initialEpolls.length > 0) {
    for (const w of r.watches) {
      const epoll = initialEpolls[w.ep % initialEpolls.length]!;
      const n = pickFd(w.fd, myInitFds);
      const file = w.file === 'at' ? initialFiles.find((f) => f.name === myTable.get(n)) : initialFiles[w.file % initialFiles.length]!;
      if (!file || file.kind === 'regular' || file.name === epoll) continue;
      if (file.kind === 'epoll' && watches.some((x) => x.epoll === file.name && x.file === epoll)) continue;
      if (watches.some((x) => x.epoll === epoll && x.file === file.name && x.fd === n)) continue;
      watches.push({ epoll, file: file.name, fd: n, events: w.events, data: w.data < 0 ? n : w.data, terse: w.terse });
    }
  }

  // Run the specification while generating, so that fd arguments can be the fds the tables hold at that
  // point (after dup, epoll_create, pidfd_getfd, ...). Only the choice of arguments depends on it; check()
  // runs the specification again from scratch with the table size the compiler settles on.
  const draft: GenScenario = { files, processes, watches, thread: { name: 'T', process: threadProcess }, ops: [] };
  const sim = new SequentialSpec({ ...specInit(draft, limit), unborn: created });
  const ops: GenOp[] = [];
  let held = 0; // fget()s not yet fput() in the text: the parser's static count
  let skipping = false; // an `else skip` fired: the ops from here to the last do not run (state frozen)
  let forked = false;
  const createdSoFar = new Set<string>();
  for (const o of r.ops) {
    const fds = sim.fdsOf(threadProcess).map(([n]) => n);
    const fd = (c: FdChoice) => pickFd(c, fds);
    const epfd = (c: FdChoice | { epoll: number }): number => {
      if (!('epoll' in c)) return fd(c);
      const eps = sim
        .fdsOf(threadProcess)
        .filter(([, f]) => sim.kindOf(f) === 'epoll')
        .map(([n]) => n);
      return eps.length > 0 ? eps[c.epoll % eps.length]! : fold(c.epoll);
    };
    const slot = (c: SlotChoice): number => {
      if (typeof c === 'number') return c;
      const busy = [...Array(RING_SLOTS).keys()].filter((n) => sim.ringSlot(n) !== null);
      return busy.length > 0 ? busy[c.busy % busy.length]! : c.busy;
    };
    let g: GenOp | undefined;
    switch (o.kind) {
      case 'close':
      case 'dup':
        g = { kind: o.kind, fd: fd(o.fd) };
        break;
      case 'fget':
        if (held === 0) g = { kind: 'fget', fd: fd(o.fd) };
        break;
      case 'fput':
        if (held > 0) g = { kind: 'fput' };
        break;
      case 'dup2':
        g = { kind: 'dup2', oldfd: fd(o.oldfd), newfd: fd(o.newfd) };
        break;
      case 'replace':
        g = { kind: 'replace', fd: fd(o.fd), file: files[o.file % files.length]!.name };
        break;
      case 'epoll_ctl': {
        const e = epfd(o.epfd);
        let target: number;
        if ('watched' in o.fd) {
          const items = files.filter((f) => f.kind === 'epoll').flatMap((f) => sim.itemsOf(f.name));
          target = items.length > 0 ? items[o.fd.watched % items.length]!.fd : fold(o.fd.watched);
        } else target = fd(o.fd);
        const tf = sim.fdsOf(threadProcess).find(([n]) => n === target)?.[1];
        if (!epollTargets && tf !== undefined && sim.kindOf(tf) === 'epoll') target = 0;
        g =
          o.op === 'DEL'
            ? { kind: 'epoll_ctl', epfd: e, op: 'DEL', fd: target, events: [], data: target }
            : { kind: 'epoll_ctl', epfd: e, op: o.op, fd: target, events: o.events, data: o.data < 0 ? target : o.data, terse: o.terse };
        break;
      }
      case 'epoll_wait':
        g = { kind: 'epoll_wait', epfd: epfd(o.epfd) };
        break;
      case 'epoll_create': {
        const e = NEW_EPOLLS[o.pick % NEW_EPOLLS.length]!;
        if (!createdSoFar.has(e)) {
          createdSoFar.add(e);
          g = { kind: 'epoll_create', epoll: e };
        }
        break;
      }
      case 'fork':
        if (!forked) {
          forked = true;
          g = { kind: 'fork', child: 'C' };
        }
        break;
      case 'pidfd_getfd': {
        const q = targets[o.proc % targets.length]!;
        g = {
          kind: 'pidfd_getfd',
          process: q,
          fd: pickFd(
            o.fd,
            sim.fdsOf(q).map(([n]) => n),
          ),
        };
        break;
      }
      case 'kcmp': {
        const q = targets[o.proc % targets.length]!;
        const n = pickFd(
          o.fd,
          sim.fdsOf(q).map(([m]) => m),
        );
        let own: number;
        if ('same' in o.own) {
          const f = sim.fdsOf(q).find(([m]) => m === n)?.[1];
          const same = sim
            .fdsOf(threadProcess)
            .filter(([, x]) => x === f)
            .map(([m]) => m);
          own = same.length > 0 ? same[o.own.same % same.length]! : fd({ used: o.own.same });
        } else own = fd(o.own);
        g = { kind: 'kcmp', process: q, fd: n, own };
        break;
      }
      case 'io_uring_register':
        g = { kind: 'io_uring_register', slot: slot(o.slot), fd: fd(o.fd) };
        break;
      case 'io_uring_unregister':
      case 'io_uring_io':
        g = { kind: o.kind, slot: slot(o.slot) };
        break;
      case 'expand_fdtable':
        g = { kind: 'expand_fdtable' };
        break;
    }
    if (!g) continue;
    if (g.kind === 'fget') held++;
    if (g.kind === 'fput') held--;
    // An `else skip` while a reference may still be held (the fput is further on) could jump to a last op
    // that is fget(): left out unless asked for.
    const heldAcross = held > 0 && g.kind !== 'fget';
    if (o.skip && elseSkip && (skipIntoHeldFget || !heldAcross)) g.elseSkip = true;
    ops.push(g);
    if (!skipping) {
      const v = sim.apply('T', stripOp(g));
      if (g.elseSkip && v !== 0) skipping = true;
    }
  }
  if (ops.length === 0) ops.push({ kind: 'close', fd: myInitFds[0] ?? 0 });

  return {
    files,
    processes,
    watches,
    thread: { name: 'T', process: threadProcess },
    ops,
    ...(maxFds !== undefined ? { maxFds } : {}),
    ...(r.maxUserWatches !== null && userWatchLimit ? { maxUserWatches: r.maxUserWatches } : {}),
  };
}

/** Random one-thread scenarios. fast-check prints a counterexample as the scenario text. */
export function scenarioArb(opt: GenOptions = {}): fc.Arbitrary<GenScenario> {
  return rawScenario.map((r) => {
    const g = build(r, opt);
    return Object.assign(g, { [fc.toStringMethod]: () => `\n${renderScenario(g)}` });
  });
}
