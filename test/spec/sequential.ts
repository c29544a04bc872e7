// A sequential specification of the syscalls fdrace models, for ONE task at a time (no interleaving): what a
// single-threaded program observes on Linux. It is written from the syscall semantics (man pages, and
// ../shared/spec/kernel-model.md B.1/B.2 for the kernel-internal facts a man page does not state), NOT from the
// kernel model's step programs, so that test/kernel-vs-spec.test.ts compares two independent descriptions.
//
// Abstract state:
//   - fd tables: files_struct name -> Map<fd, file name>; every slot owns one reference on its file;
//   - per file: its reference count and whether it is live (count > 0) or freed;
//   - per epoll: its interest list, a set of items keyed (file, fd) carrying events and data;
//   - per thread: the references kept by the scenario's fget() (a stack: fput() drops the latest);
//   - the user's epoll_watches counter (number of items, all epolls; one user owns everything here).
// Facts the specification relies on:
//   - epoll holds no reference on the files it watches; an item lives until EPOLL_CTL_DEL, until the epoll is
//     released, or until the watched file's last reference goes (__fput -> eventpoll_release). fd numbers in
//     a key are never updated (close/dup2/replace of the fd leave the item alone while the file lives).
//   - When a file's count reaches 0 it is freed: every item watching it disappears from every epoll; if it is an
//     epoll file, its eventpoll disappears with all its items. Neither drops a reference on anything else, so
//     freeing never cascades.
//   - max_fds is both the table size and the limit: fds at or above it are EBADF (close, dup, dup2's either fd,
//     replace's fd, epoll_ctl, fget) and dup finds no free slot at or above it (EMFILE).

export type SpecKind = 'socket' | 'regular' | 'epoll';
export type SpecEvent = 'IN' | 'OUT' | 'ERR' | 'HUP' | 'ET' | 'ONESHOT';
/** The uapi bit order (include/uapi/linux/eventpoll.h, as the scenario language lists them). */
export const EVENT_ORDER: readonly SpecEvent[] = ['IN', 'OUT', 'ERR', 'HUP', 'ET', 'ONESHOT'];

export const EPERM = 1;
export const ENOENT = 2;
export const EBADF = 9;
export const EEXIST = 17;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOSPC = 28;
export const ELOOP = 40;

export type SpecOp =
  | { kind: 'close'; fd: number }
  | { kind: 'dup'; fd: number }
  | { kind: 'dup2'; oldfd: number; newfd: number }
  /** seccomp ADDFD with SETFD (newfd = fd, the supervisor's file = file), run in the target. */
  | { kind: 'replace'; fd: number; file: string }
  | { kind: 'epoll_ctl'; epfd: number; op: 'ADD' | 'DEL' | 'MOD'; fd: number; events: SpecEvent[]; data: number }
  | { kind: 'fget'; fd: number }
  | { kind: 'fput' };

export interface SpecItem {
  file: string;
  fd: number;
  /** In EVENT_ORDER, without duplicates. */
  events: SpecEvent[];
  data: number;
}

export interface SpecInit {
  files: { name: string; kind: SpecKind }[];
  /** One entry per files_struct (CLONE_FILES sharers are one table). */
  tables: { name: string; fds: [number, string][] }[];
  /** Items present at the start; events as given (EPOLLERR|EPOLLHUP are added as epoll_ctl would). */
  watches: { epoll: string; file: string; fd: number; events: SpecEvent[]; data: number }[];
  /** Threads: the table each uses. */
  threads: { name: string; table: string }[];
  maxFds: number;
  maxUserWatches: number;
}

export interface SpecSnapshot {
  tables: { name: string; fds: { fd: number; file: string }[] }[];
  files: { name: string; ref: number; life: 'live' | 'freed' }[];
  epolls: { name: string; life: 'live' | 'freed'; items: SpecItem[] }[];
  /** References each thread keeps from fget(), oldest first. */
  held: { thread: string; files: string[] }[];
  watches: number;
}

function canonEvents(ev: Iterable<SpecEvent>): SpecEvent[] {
  const s = new Set(ev);
  return EVENT_ORDER.filter((e) => s.has(e));
}

const key = (file: string, fd: number): string => `${file}\u0000${fd}`;

export class SequentialSpec {
  private readonly kind = new Map<string, SpecKind>();
  private readonly tables = new Map<string, Map<number, string>>();
  private readonly ref = new Map<string, number>();
  private readonly live = new Map<string, boolean>();
  /** epoll file name -> its interest list (absent once the epoll is freed). */
  private readonly interest = new Map<string, Map<string, SpecItem>>();
  private readonly threadTable = new Map<string, string>();
  private readonly held = new Map<string, string[]>();
  private readonly maxFds: number;
  private readonly maxUserWatches: number;

  constructor(init: SpecInit) {
    this.maxFds = init.maxFds;
    this.maxUserWatches = init.maxUserWatches;
    for (const f of init.files) {
      this.kind.set(f.name, f.kind);
      this.ref.set(f.name, 0);
      if (f.kind === 'epoll') this.interest.set(f.name, new Map());
    }
    for (const t of init.tables) {
      const m = new Map<number, string>();
      for (const [fd, file] of t.fds) {
        if (!this.kind.has(file)) throw new Error(`spec: unknown file ${file}`);
        if (fd < 0 || fd >= this.maxFds) throw new Error(`spec: fd ${fd} outside the table`);
        if (m.has(fd)) throw new Error(`spec: fd ${fd} of ${t.name} declared twice`);
        m.set(fd, file);
        this.ref.set(file, this.ref.get(file)! + 1);
      }
      this.tables.set(t.name, m);
    }
    for (const f of init.files) this.live.set(f.name, this.ref.get(f.name)! > 0);
    for (const f of init.files) if (!this.live.get(f.name)) this.release(f.name);
    for (const w of init.watches) {
      const list = this.interest.get(w.epoll);
      if (!list) throw new Error(`spec: ${w.epoll} is not a live epoll`);
      if (!this.live.get(w.file)) throw new Error(`spec: watch of a freed file ${w.file}`);
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
    if (fd < 0 || fd >= this.maxFds) return undefined;
    return this.table(thread).get(fd);
  }

  private table(thread: string): Map<number, string> {
    const t = this.threadTable.get(thread);
    if (t === undefined) throw new Error(`spec: unknown thread ${thread}`);
    return this.tables.get(t)!;
  }

  private watchCount(): number {
    let n = 0;
    for (const list of this.interest.values()) n += list.size;
    return n;
  }

  // ---- references and release ---------------------------------------------------------------------------

  private get(file: string): void {
    if (!this.live.get(file)) throw new Error(`spec: reference taken on freed ${file}`);
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
    this.live.set(file, false);
    for (const list of this.interest.values()) {
      for (const [k, it] of list) if (it.file === file) list.delete(k);
    }
    this.interest.delete(file);
  }

  // ---- operations -----------------------------------------------------------------------------------------

  /** Run one operation of `thread` to completion (including the deferred __fput on its way back to user space)
   *  and return its result: an fd number or 0, or a negative errno. */
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
    for (let n = 0; n < this.maxFds; n++) {
      if (!t.has(n)) {
        this.get(f);
        t.set(n, f);
        return n;
      }
    }
    return -EMFILE;
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
   *  else its fget fails: EBADF) is installed at exactly slot fd of the target's table, like dup2; nothing else
   *  changes (other fds on the displaced file and epoll items keyed on it stay). Returns fd. */
  private replace(thread: string, fd: number, file: string): number {
    if (!this.kind.has(file)) throw new Error(`spec: unknown file ${file}`);
    if (!this.live.get(file)) return -EBADF;
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
    if (!list) throw new Error(`spec: epoll ${ef} is in a table but freed`);
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
      files: [...this.kind.keys()].map((name) => ({ name, ref: this.ref.get(name)!, life: this.live.get(name) ? 'live' : 'freed' })),
      epolls: [...this.kind].filter(([, k]) => k === 'epoll').map(([name]) => ({
        name,
        life: this.interest.has(name) ? 'live' : 'freed',
        items: sortItems([...(this.interest.get(name)?.values() ?? [])].map((it) => ({ ...it, events: [...it.events] }))),
      })),
      held: [...this.held].map(([thread, files]) => ({ thread, files: [...files] })),
      watches: this.watchCount(),
    };
  }
}

export function sortItems(items: SpecItem[]): SpecItem[] {
  return [...items].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.fd - b.fd));
}
