// The decoded kernel state of Trace JSON format 1: what fdrace's replay reads out of the model after each step
// (checker/trace/decode.ts), by name, never by index, so a reader needs no scenario to understand it.

import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { arr, bool, int, obj, once, oneOf, str } from './build.ts';

/** Attach a description: it becomes the field's "description" in docs/trace.schema.json. */
export const doc = <S extends v.GenericSchema>(schema: S, text: string) => v.pipe(schema, v.description(text));

export const name = str(LIMITS.name);
export const names = arr(LIMITS.list, name);
const fdNumber = int(0, 1 << 20);
const count = int(-(1 << 30), 1 << 30);
const holder = (what: string) => doc(v.nullable(name), `Thread holding ${what}, or null.`);

export const DecodedFdSchema = doc(
  obj({
    fd: fdNumber,
    file: doc(name, "File name, or '(reserved)' for a slot between alloc_fd and fd_install."),
  }),
  'One slot of an fd table.',
);

export const DecodedProcessSchema = doc(
  obj({
    name: doc(name, 'The files_struct, named after its first process.'),
    processes: doc(names, 'Process names using this files_struct (CLONE_FILES sharers are listed together).'),
    fds: arr(LIMITS.list, DecodedFdSchema),
    fileLock: holder('files->file_lock'),
  }),
  'An fd table (files_struct) and the processes sharing it.',
);

export const LifeNameSchema = oneOf('live', 'dying', 'releasing', 'freed', 'unborn');

export const DecodedFileSchema = doc(
  obj({
    name,
    kind: oneOf('socket', 'regular', 'epoll'),
    ref: doc(count, 'f_count.'),
    life: LifeNameSchema,
    fLock: holder('file->f_lock'),
    watchers: doc(names, 'The f_ep list in order (head first): "E:(OLD,3)".'),
  }),
  'A struct file.',
);

export const DecodedItemSchema = doc(
  obj({
    file: name,
    fd: fdNumber,
    events: names,
    data: int(-(2 ** 31), 2 ** 32),
    inRbr: doc(bool, 'Linked in ep->rbr (and on file->f_ep, below: both, except inside ep_insert / ep_remove).'),
    onFep: bool,
    dying: doc(bool, 'epi->dying.'),
    id: doc(int(0, 1 << 20), 'Index of the epitem record (stable while the item lives; used by violation messages).'),
  }),
  'An epitem: a watch of (file, fd) in an eventpoll.',
);

export const DecodedEpollSchema = doc(
  obj({
    name,
    mtx: holder('ep->mtx'),
    refcount: doc(count, 'ep->refcount.'),
    life: oneOf('live', 'orphan', 'freed', 'unborn'),
    items: arr(LIMITS.list, DecodedItemSchema),
  }),
  'An eventpoll and its items.',
);

const DecodedFrameSchema = obj({ routine: name, pc: int(0, 1 << 20) });

export const DecodedThreadSchema = doc(
  obj({
    name,
    process: name,
    status: doc(oneOf('user', 'kernel', 'blocked', 'done'), "'user' (between syscalls), 'kernel', 'blocked', 'done'."),
    op: doc(v.nullable(str(LIMITS.text)), 'The syscall in progress or next (as written in the scenario), or null when all are done.'),
    opIndex: int(0, 1 << 20),
    frames: arr(64, DecodedFrameSchema),
    held: doc(names, 'Files this task holds references on (in-flight fget, displaced files awaiting filp_close, ...).'),
    pendingFput: doc(names, "Deferred __fput queued on this task's task_work."),
    returns: doc(arr(LIMITS.list, v.nullable(int(-(2 ** 31), 2 ** 32))), 'Return values of finished ops, in order (null: not returned yet).'),
    waitingFor: doc(v.nullable(name), 'Lock it waits for when blocked, e.g. "E.mtx".'),
  }),
  'A task: where it is, what it holds and waits for.',
);

export const DecodedLockSchema = doc(
  obj({ name, kind: oneOf('spin', 'mutex'), owner: v.nullable(name), waiters: names }),
  'A spinlock or mutex, its owner and waiters.',
);

export const DecodedStateSchema = once(
  doc(
    obj({
      processes: arr(LIMITS.list, DecodedProcessSchema),
      files: arr(LIMITS.list, DecodedFileSchema),
      epolls: arr(LIMITS.list, DecodedEpollSchema),
      threads: arr(LIMITS.list, DecodedThreadSchema),
      locks: arr(LIMITS.list, DecodedLockSchema),
      global: doc(
        obj({ epmutex: v.nullable(name), watches: int(0, 1 << 30), faults: int(0, 1 << 20) }),
        "Global epoll mutex owner (epmutex), the user's epoll_watches, faults injected so far.",
      ),
    }),
    'The decoded kernel state: fd tables, files, eventpolls, tasks, locks.',
  ),
);
