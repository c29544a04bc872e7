// A sequential specification of the syscalls fdrace models, for ONE task at a time (no interleaving): what a
// single-threaded program observes on Linux. It is written from the syscall semantics (man pages, and
// docs/model.md §B.1-§B.3 for the kernel-internal facts a man page does not state), NOT from the
// kernel model's step programs, so that test/kernel-vs-spec.test.ts compares two independent descriptions.
//
// Abstract state:
//   - fd tables: files_struct name -> Map<fd, file name>; every slot owns one reference on its file; processes
//     map to tables (CLONE_FILES sharers map to the same one);
//   - per file: its reference count and whether it is unborn (an epoll that epoll_create makes later), live
//     (count > 0) or freed;
//   - per epoll: its interest list, a set of items keyed (file, fd) carrying events and data;
//   - per thread: the references kept by the scenario's fget() (a stack: fput() drops the latest);
//   - the user's epoll_watches counter (number of items, all epolls; one user owns everything here);
//   - one io_uring with four fixed-file slots; a used slot owns one reference on its file (B.3) and remembers the
//     fd and table it was registered from.
// Facts the specification relies on:
//   - epoll holds no reference on the files it watches; an item lives until EPOLL_CTL_DEL, until the epoll is
//     released, or until the watched file's last reference goes (__fput -> eventpoll_release). fd numbers in
//     a key are never updated (close/dup2/replace of the fd leave the item alone while the file lives).
//   - When a file's count reaches 0 it is freed: every item watching it disappears from every epoll; if it is an
//     epoll file, its eventpoll disappears with all its items. Neither drops a reference on anything else, so
//     freeing never cascades. (The io_uring is never released in these scenarios, so its slots never put.)
//   - max_fds is both the table size and the limit: fds at or above it are EBADF (close, dup, dup2's either fd,
//     replace's fd, epoll_ctl, epoll_wait, fget, pidfd_getfd's and kcmp's fds, io_uring_register), and
//     allocating an fd (dup, epoll_create, pidfd_getfd) finds no free slot at or above it (EMFILE).
//   - `OP else skip`: when OP returns nonzero, the thread's next op is its last one (the ones between are not
//     run and return nothing).

export type SpecKind = 'socket' | 'regular' | 'epoll';
export type SpecEvent = 'IN' | 'OUT' | 'ERR' | 'HUP' | 'ET' | 'ONESHOT';
/** The uapi bit order (include/uapi/linux/eventpoll.h, as the scenario language lists them). */
export const EVENT_ORDER: readonly SpecEvent[] = ['IN', 'OUT', 'ERR', 'HUP', 'ET', 'ONESHOT'];
export type SpecLife = 'unborn' | 'live' | 'freed';

export const EPERM = 1;
export const ENOENT = 2;
export const ENXIO = 6;
export const EBADF = 9;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOSPC = 28;
export const ELOOP = 40;

/** Fixed-file slots of the one io_uring (IORING_REGISTER_FILES with four entries). */
export const RING_SLOTS = 4;

export type SpecBaseOp =
  | { kind: 'close'; fd: number }
  | { kind: 'dup'; fd: number }
  | { kind: 'dup2'; oldfd: number; newfd: number }
  /** seccomp ADDFD with SETFD (newfd = fd, the supervisor's file = file), run in the target. */
  | { kind: 'replace'; fd: number; file: string }
  | { kind: 'epoll_ctl'; epfd: number; op: 'ADD' | 'DEL' | 'MOD'; fd: number; events: SpecEvent[]; data: number }
  | { kind: 'fget'; fd: number }
  | { kind: 'fput' }
  | { kind: 'epoll_wait'; epfd: number }
  | { kind: 'epoll_create'; epoll: string }
  /** fork without CLONE_FILES into the (empty) table of process `child`. */
  | { kind: 'fork'; child: string }
  | { kind: 'pidfd_getfd'; process: string; fd: number }
  /** kcmp(KCMP_FILE) of `process`'s fd `fd` and the caller's fd `own`. */
  | { kind: 'kcmp'; process: string; fd: number; own: number }
  | { kind: 'io_uring_register'; slot: number; fd: number }
  | { kind: 'io_uring_unregister'; slot: number }
  | { kind: 'io_uring_io'; slot: number }
  /** expand_files -> expand_fdtable: a bigger fdtable with the same contents (nothing a task can observe). */
  | { kind: 'expand_fdtable' };
export type SpecOp = SpecBaseOp & { elseSkip?: boolean };

export interface SpecItem {
  file: string;
  fd: number;
  /** In EVENT_ORDER, without duplicates. */
  events: SpecEvent[];
  data: number;
}

export interface SpecRingSlot {
  file: string;
  /** The fd and table it was registered from. */
  fd: number;
  table: string;
}

export interface SpecInit {
  files: { name: string; kind: SpecKind }[];
  /** One entry per files_struct (CLONE_FILES sharers are one table). */
  tables: { name: string; fds: [number, string][] }[];
  /** Every process and the table it uses (default: each table is the process of the same name). */
  processes?: { name: string; table: string }[];
  /** Epolls that no table holds at the start: epoll_create makes them. */
  unborn?: string[];
  /** Items present at the start; events as given (EPOLLERR|EPOLLHUP are added as epoll_ctl would). */
  watches: { epoll: string; file: string; fd: number; events: SpecEvent[]; data: number }[];
  /** Threads: the table each uses. */
  threads: { name: string; table: string }[];
  maxFds: number;
  maxUserWatches: number;
}

export interface SpecSnapshot {
  tables: { name: string; fds: { fd: number; file: string }[] }[];
  files: { name: string; ref: number; life: SpecLife }[];
  epolls: { name: string; life: SpecLife; items: SpecItem[] }[];
  /** References each thread keeps from fget(), oldest first. */
  held: { thread: string; files: string[] }[];
  watches: number;
  ring: (SpecRingSlot | null)[];
}

/** One thread's run: each op's result (null: skipped by `else skip`) and the state after each op that ran. */
export interface SpecRun {
  rets: (number | null)[];
  /** Indices of the ops that ran, in order, and the snapshot after each. */
  ran: number[];
  snaps: SpecSnapshot[];
}

function canonEvents(ev: Iterable<SpecEvent>): SpecEvent[] {
  const s = new Set(ev);
  return EVENT_ORDER.filter((e) => s.has(e));
}

const key = (file: string, fd: number): string => `${file}\u0000${fd}`;

export class SequentialSpec {
  private readonly kind = new Map<string, SpecKind>();
  private readonly tables = new Map<string, Map<number, string>>();
  private readonly procTable = new Map<string, string>();
  private readonly ref = new Map<string, number>();
  private readonly life = new Map<string, SpecLife>();
  /** epoll file name -> its interest list (absent while the epoll is unborn and once it is freed). */
  private readonly interest = new Map<string, Map<string, SpecItem>>();
  private readonly threadTable = new Map<string, string>();
  private readonly held = new Map<string, string[]>();
  private readonly ring: (SpecRingSlot | null)[] = Array.from({ length: RING_SLOTS }, () => null);
  private readonly maxFds: number;
  private readonly maxUserWatches: number;

  constructor(init: SpecInit) {
    this.maxFds = init.maxFds;
    this.maxUserWatches = init.maxUserWatches;
    const unborn = new Set(init.unborn ?? []);
    for (const f of init.files) {
      this.kind.set(f.name, f.kind);
      this.ref.set(f.name, 0);
    }
    for (const e of unborn) if (this.kind.get(e) !== 'epoll') throw new Error(`spec: ${e} is not an epoll, epoll_create cannot make it`);
    for (const t of init.tables) {
      const m = new Map<number, string>();
      for (const [fd, file] of t.fds) {
        if (!this.kind.has(file)) throw new Error(`spec: unknown file ${file}`);
        if (unborn.has(file)) throw new Error(`spec: ${file} is in a table but created by epoll_create`);
        if (fd < 0 || fd >= this.maxFds) throw new Error(`spec: fd ${fd} outside the table`);
        if (m.has(fd)) throw new Error(`spec: fd ${fd} of ${t.name} declared twice`);
        m.set(fd, file);
        this.ref.set(file, this.ref.get(file)! + 1);
      }
      this.tables.set(t.name, m);
    }
    for (const t of init.tables) this.procTable.set(t.name, t.name);
    for (const p of init.processes ?? []) {
      if (!this.tables.has(p.table)) throw new Error(`spec: process ${p.name} uses unknown table ${p.table}`);
      this.procTable.set(p.name, p.table);
    }
    for (const f of init.files) {
      if (unborn.has(f.name)) this.life.set(f.name, 'unborn');
      else if (this.ref.get(f.name)! > 0) {
        this.life.set(f.name, 'live');
        if (f.kind === 'epoll') this.interest.set(f.name, new Map());
      } else this.life.set(f.name, 'freed');
    }
    for (const w of init.watches) {
      const list = this.interest.get(w.epoll);
      if (!list) throw new Error(`spec: ${w.epoll} is not a live epoll`);
      if (this.life.get(w.file) !== 'live') throw new Error(`spec: watch of ${w.file}, which is not live`);
      list.set(key(w.file, w.fd), { file: w.file, fd: w.fd, events: canonEvents([...w.events, 'ERR', 'HUP']), data: w.data });
    }
    for (const t of init.threads) {
      if (!this.tables.has(t.table)) throw new Error(`spec: unknown table ${t.table}`);
      this.threadTable.set(t.name, t.table);
      this.held.set(t.name, []);
    }
  }

  // ---- queries ------------------------------------------------------------------------------------------

  /** The file fd refers to in the thread's table, or undefined (unused, or outside the table). */
  private lookup(thread: string, fd: number): string | undefined {
    return this.lookupIn(this.table(thread), fd);
  }

  private lookupIn(t: Map<number, string>, fd: number): string | undefined {
    if (fd < 0 || fd >= this.maxFds) return undefined;
    return t.get(fd);
  }

  private table(thread: string): Map<number, string> {
    const t = this.threadTable.get(thread);
    if (t === undefined) throw new Error(`spec: unknown thread ${thread}`);
    return this.tables.get(t)!;
  }

  private processTable(process: string): Map<number, string> {
    const t = this.procTable.get(process);
    if (t === undefined) throw new Error(`spec: unknown process ${process}`);
    return this.tables.get(t)!;
  }

  private watchCount(): number {
    let n = 0;
    for (const list of this.interest.values()) n += list.size;
    return n;
  }

  /** The fds of a process's table now (for the generator: arguments that hit something). */
  fdsOf(process: string): [number, string][] {
    return [...this.processTable(process)].sort((a, b) => a[0] - b[0]);
  }

  kindOf(file: string): SpecKind | undefined {
    return this.kind.get(file);
  }

  lifeOf(file: string): SpecLife | undefined {
    return this.life.get(file);
  }

  /** The items of a live epoll now (for the generator). */
  itemsOf(epoll: string): SpecItem[] {
    return [...(this.interest.get(epoll)?.values() ?? [])];
  }

  heldBy(thread: string): number {
    return this.held.get(thread)?.length ?? 0;
  }

  ringSlot(k: number): SpecRingSlot | null {
    return this.ring[k] ?? null;
  }

  // ---- references and release ---------------------------------------------------------------------------

  private get(file: string): void {
    if (this.life.get(file) !== 'live') throw new Error(`spec: reference taken on ${this.life.get(file)} ${file}`);
    this.ref.set(file, this.ref.get(file)! + 1);
  }

  private put(file: string): void {
    const n = this.ref.get(file)! - 1;
    if (n < 0) throw new Error(`spec: reference count of ${file} below zero`);
    this.ref.set(file, n);
    if (n === 0) this.release(file);
  }

  /** The last reference went: __fput. eventpoll_release drops every item watching the file; an epoll file's
   *  release frees its eventpoll and every item in it. Nothing here puts another reference. */
  private release(file: string): void {
    this.life.set(file, 'freed');
    for (const list of this.interest.values()) {
      for (const [k, it] of list) if (it.file === file) list.delete(k);
    }
    this.interest.delete(file);
  }

  /** The lowest free fd of a table, or -1 when every fd below max_fds is in use. */
  private lowestFree(t: Map<number, string>): number {
    for (let n = 0; n < this.maxFds; n++) if (!t.has(n)) return n;
    return -1;
  }

  // ---- operations -----------------------------------------------------------------------------------------

  /** Run a thread's ops in order with `else skip`: after an op with that flag returns nonzero, only the
   *  thread's last op still runs. */
  run(thread: string, ops: readonly SpecOp[]): SpecRun {
    const rets: (number | null)[] = [];
    const ran: number[] = [];
    const snaps: SpecSnapshot[] = [];
    let skipping = false;
    ops.forEach((op, k) => {
      const last = k === ops.length - 1;
      if (skipping && !last) {
        rets.push(null);
        return;
      }
      const v = this.apply(thread, op);
      rets.push(v);
      ran.push(k);
      snaps.push(this.snapshot());
      if (op.elseSkip && v !== 0) skipping = true;
    });
    return { rets, ran, snaps };
  }

  /** Run one operation of `thread` to completion (including the deferred __fput on its way back to user space)
   *  and return its result: an fd number, a count or 0, or a negative errno. `elseSkip` is the caller's
   *  business (see run). */
  apply(thread: string, op: SpecOp): number {
    switch (op.kind) {
      case 'close':
        return this.close(thread, op.fd);
      case 'dup':
        return this.dup(thread, op.fd);
      case 'dup2':
        return this.dup2(thread, op.oldfd, op.newfd);
      case 'replace':
        return this.replace(thread, op.fd, op.file);
      case 'epoll_ctl':
        return this.epollCtl(thread, op.epfd, op.op, op.fd, op.events, op.data);
      case 'fget':
        return this.fget(thread, op.fd);
      case 'fput':
        return this.fput(thread);
      case 'epoll_wait':
        return this.epollWait(thread, op.epfd);
      case 'epoll_create':
        return this.epollCreate(thread, op.epoll);
      case 'fork':
        return this.fork(thread, op.child);
      case 'pidfd_getfd':
        return this.pidfdGetfd(thread, op.process, op.fd);
      case 'kcmp':
        return this.kcmp(thread, op.process, op.fd, op.own);
      case 'io_uring_register':
        return this.ringRegister(thread, op.slot, op.fd);
      case 'io_uring_unregister':
        return this.ringUnregister(op.slot);
      case 'io_uring_io':
        return this.ringIo(op.slot);
      case 'expand_fdtable':
        return 0;
    }
  }

  /** close(2): the slot is emptied and its reference dropped. Epoll is not consulted. */
  private close(thread: string, fd: number): number {
    const f = this.lookup(thread, fd);
    if (f === undefined) return -EBADF;
    this.table(thread).delete(fd);
    this.put(f);
    return 0;
  }

  /** dup(2): the lowest free fd gets a new reference to the same file. */
  private dup(thread: string, fd: number): number {
    const f = this.lookup(thread, fd);
    if (f === undefined) return -EBADF;
    const t = this.table(thread);
    const n = this.lowestFree(t);
    if (n < 0) return -EMFILE;
    this.get(f);
    t.set(n, f);
    return n;
  }

  /** dup2(2): oldfd == newfd only validates; otherwise newfd is made to refer to oldfd's file and the file it
   *  referred to before (if any) is closed. */
  private dup2(thread: string, oldfd: number, newfd: number): number {
    const f = this.lookup(thread, oldfd);
    if (oldfd === newfd) return f === undefined ? -EBADF : newfd;
    if (newfd < 0 || newfd >= this.maxFds) return -EBADF;
    if (f === undefined) return -EBADF;
    const t = this.table(thread);
    const displaced = t.get(newfd);
    this.get(f);
    t.set(newfd, f);
    if (displaced !== undefined) this.put(displaced);
    return newfd;
  }

  /** SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SETFD: the supervisor's file (which must still be open,
   *  else its fget fails: EBADF; an epoll not created yet is not open either) is installed at exactly slot fd of
   *  the target's table, like dup2; nothing else changes (other fds on the displaced file and epoll items keyed
   *  on it stay). Returns fd. */
  private replace(thread: string, fd: number, file: string): number {
    if (!this.kind.has(file)) throw new Error(`spec: unknown file ${file}`);
    if (this.life.get(file) !== 'live') return -EBADF;
    if (fd < 0 || fd >= this.maxFds) return -EBADF;
    const t = this.table(thread);
    const displaced = t.get(fd);
    this.get(file);
    t.set(fd, file);
    if (displaced !== undefined) this.put(displaced);
    return fd;
  }

  /** ep_loop_check: would adding epoll `target` to epoll `ep` close a loop (ep reachable from target through
   *  items that watch epoll files)? The EP_MAX_NESTS depth limit is not modelled: it needs more than four
   *  nested epolls. */
  private loops(ep: string, target: string): boolean {
    const seen = new Set<string>();
    const walk = (e: string): boolean => {
      if (e === ep) return true;
      if (seen.has(e)) return false;
      seen.add(e);
      for (const it of this.interest.get(e)?.values() ?? []) {
        if (this.kind.get(it.file) === 'epoll' && walk(it.file)) return true;
      }
      return false;
    };
    return walk(target);
  }

  /** epoll_ctl(2). Order of checks as in do_epoll_ctl: EBADF (epfd), EBADF (fd), EPERM (target not
   *  pollable), EINVAL (same file, or epfd not an epoll), ELOOP (ADD of an epoll), then per op:
   *  ADD: EEXIST / ENOSPC (epoll_watches at max_user_watches) / insert with EPOLLERR|EPOLLHUP added;
   *  DEL: ENOENT / remove; MOD: ENOENT / replace events (plus EPOLLERR|EPOLLHUP) and data. */
  private epollCtl(thread: string, epfd: number, op: 'ADD' | 'DEL' | 'MOD', fd: number, events: SpecEvent[], data: number): number {
    const ef = this.lookup(thread, epfd);
    if (ef === undefined) return -EBADF;
    const tf = this.lookup(thread, fd);
    if (tf === undefined) return -EBADF;
    if (this.kind.get(tf) === 'regular') return -EPERM;
    if (ef === tf || this.kind.get(ef) !== 'epoll') return -EINVAL;
    const list = this.interest.get(ef);
    if (!list) throw new Error(`spec: epoll ${ef} is in a table but has no eventpoll`);
    const k = key(tf, fd);
    switch (op) {
      case 'ADD':
        if (this.kind.get(tf) === 'epoll' && this.loops(ef, tf)) return -ELOOP;
        if (list.has(k)) return -EEXIST;
        if (this.watchCount() >= this.maxUserWatches) return -ENOSPC;
        list.set(k, { file: tf, fd, events: canonEvents([...events, 'ERR', 'HUP']), data });
        return 0;
      case 'DEL':
        if (!list.delete(k)) return -ENOENT;
        return 0;
      case 'MOD': {
        const it = list.get(k);
        if (!it) return -ENOENT;
        it.events = canonEvents([...events, 'ERR', 'HUP']);
        it.data = data;
        return 0;
      }
    }
  }

  /** epoll_wait(2) with readiness not modelled: every item of the interest list is ready and reported once
   *  (an item watching another epoll counts as one). EBADF, or EINVAL when epfd is not an epoll. */
  private epollWait(thread: string, epfd: number): number {
    const ef = this.lookup(thread, epfd);
    if (ef === undefined) return -EBADF;
    if (this.kind.get(ef) !== 'epoll') return -EINVAL;
    const list = this.interest.get(ef);
    if (!list) throw new Error(`spec: epoll ${ef} is in a table but has no eventpoll`);
    return list.size;
  }

  /** epoll_create1(0): a new eventpoll with an empty interest list and its file (one reference, the new fd's)
   *  at the lowest free fd; EMFILE (nothing created) when the table is full. */
  private epollCreate(thread: string, epoll: string): number {
    if (this.kind.get(epoll) !== 'epoll') throw new Error(`spec: epoll_create of ${epoll}, not an epoll`);
    if (this.life.get(epoll) !== 'unborn') throw new Error(`spec: epoll_create(${epoll}) twice`);
    const t = this.table(thread);
    const n = this.lowestFree(t);
    if (n < 0) return -EMFILE;
    this.life.set(epoll, 'live');
    this.ref.set(epoll, 1);
    this.interest.set(epoll, new Map());
    t.set(n, epoll);
    return n;
  }

  /** fork(2) without CLONE_FILES: the child's table (empty before) becomes a copy of the caller's, one new
   *  reference per slot (dup_fd). The parent sees the child's pid; the model's pid is 1. */
  private fork(thread: string, child: string): number {
    const t = this.table(thread);
    const c = this.processTable(child);
    if (c === t) throw new Error(`spec: fork into the caller's own table`);
    if (c.size > 0) throw new Error(`spec: fork(${child}) into a table that is not empty`);
    for (const [fd, f] of t) {
      this.get(f);
      c.set(fd, f);
    }
    return 1;
  }

  /** pidfd_getfd(2): fget_task(Q, fd) (EBADF if Q's fd is empty), then receive_fd into the caller's lowest free
   *  fd (EMFILE); the new fd refers to the same struct file. */
  private pidfdGetfd(thread: string, process: string, fd: number): number {
    const f = this.lookupIn(this.processTable(process), fd);
    if (f === undefined) return -EBADF;
    const t = this.table(thread);
    const n = this.lowestFree(t);
    if (n < 0) return -EMFILE;
    this.get(f);
    t.set(n, f);
    return n;
  }

  /** kcmp(Q, self, KCMP_FILE, fd, own): -EBADF if either fd is empty, else 0 for the same struct file and 1
   *  for different ones (the model does not order them). */
  private kcmp(thread: string, process: string, fd: number, own: number): number {
    const a = this.lookupIn(this.processTable(process), fd);
    const b = this.lookup(thread, own);
    if (a === undefined || b === undefined) return -EBADF;
    return a === b ? 0 : 1;
  }

  /** Register fd in fixed slot k: -EBUSY if the slot is in use; fget(fd) (EBADF); the slot owns that
   *  reference. */
  private ringRegister(thread: string, k: number, fd: number): number {
    if (k < 0 || k >= RING_SLOTS) return -ENXIO;
    if (this.ring[k]) return -EBUSY;
    const f = this.lookup(thread, fd);
    if (f === undefined) return -EBADF;
    this.get(f);
    this.ring[k] = { file: f, fd, table: this.threadTable.get(thread)! };
    return 0;
  }

  /** Unregister slot k: -ENXIO if empty; else the slot's reference is put (maybe the last one). */
  private ringUnregister(k: number): number {
    const s = k >= 0 && k < RING_SLOTS ? this.ring[k] : null;
    if (!s) return -ENXIO;
    this.ring[k] = null;
    this.put(s.file);
    return 0;
  }

  /** I/O through fixed slot k (IOSQE_FIXED_FILE): the slot's file, never the fd table. -EBADF if empty. */
  private ringIo(k: number): number {
    if (k < 0 || k >= RING_SLOTS) return -ENXIO;
    return this.ring[k] ? 0 : -EBADF;
  }

  /** The scenario's fget(N): take a reference on fd's file and keep it (an in-flight holder). 0 or EBADF. */
  private fget(thread: string, fd: number): number {
    const f = this.lookup(thread, fd);
    if (f === undefined) return -EBADF;
    this.get(f);
    this.held.get(thread)!.push(f);
    return 0;
  }

  /** The scenario's fput(): drop the latest reference kept by fget(). With none held (the fget failed): EBADF. */
  private fput(thread: string): number {
    const f = this.held.get(thread)!.pop();
    if (f === undefined) return -EBADF;
    this.put(f);
    return 0;
  }

  // ---- observation -----------------------------------------------------------------------------------------

  snapshot(): SpecSnapshot {
    const byFd = (a: { fd: number }, b: { fd: number }) => a.fd - b.fd;
    return {
      tables: [...this.tables].map(([name, m]) => ({ name, fds: [...m].map(([fd, file]) => ({ fd, file })).sort(byFd) })),
      files: [...this.kind.keys()].map((name) => ({ name, ref: this.ref.get(name)!, life: this.life.get(name)! })),
      epolls: [...this.kind]
        .filter(([, k]) => k === 'epoll')
        .map(([name]) => ({
          name,
          life: this.life.get(name)!,
          items: sortItems([...(this.interest.get(name)?.values() ?? [])].map((it) => ({ ...it, events: [...it.events] }))),
        })),
      held: [...this.held].map(([thread, files]) => ({ thread, files: [...files] })),
      watches: this.watchCount(),
      ring: this.ring.map((s) => (s ? { ...s } : null)),
    };
  }
}

export function sortItems(items: SpecItem[]): SpecItem[] {
  return [...items].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.fd - b.fd));
}
