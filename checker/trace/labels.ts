// What each kernel step models: function, source file, and what it does — the line a kernel developer should
// recognise in fs/file.c, fs/eventpoll.c, fs/file_table.c, fs/open.c or kernel/seccomp.c. Ids in model/steps.ts.

import { Step } from '../../model/steps.ts';

export interface StepLabel {
  fn: string;
  file: string;
  text: string;
}

const FILE = 'fs/file.c';
const EP = 'fs/eventpoll.c';
const FT = 'fs/file_table.c';
const SECCOMP = 'kernel/seccomp.c';
const RFC = 'fs/eventpoll.c (RFC v4 patch)';
const RFC_FILE = 'fs/file.c (RFC v4 patch)';

export const STEP_LABELS: Record<Exclude<keyof typeof Step, 'None'>, StepLabel> = {
  AddfdFget: { fn: 'seccomp_notify_addfd', file: SECCOMP, text: 'kaddfd.file = fget(addfd.srcfd): the supervisor pins the new file' },
  AllocFdLock: { fn: 'alloc_fd', file: FILE, text: 'spin_lock(&files->file_lock)' },
  AllocFd: { fn: 'alloc_fd', file: FILE, text: 'find_next_fd: reserve the lowest free slot (open bit set, fd[n] still NULL)' },
  AllocFdUnlock: { fn: 'alloc_fd', file: FILE, text: 'spin_unlock(&files->file_lock)' },
  AttachEpitemAlloc: { fn: 'attach_epitem', file: EP, text: 'if (!file->f_ep) allocate an epitems_head (unlocked, GFP_KERNEL)' },
  AttachEpitemLock: { fn: 'attach_epitem', file: EP, text: 'spin_lock(&file->f_lock)' },
  AttachEpitemRetry: { fn: 'attach_epitem', file: EP, text: 'f_ep became NULL meanwhile and no head was allocated: unlock, goto allocate' },
  AttachEpitemLink: { fn: 'attach_epitem', file: EP, text: 'hlist_add_head_rcu(&epi->fllink, file->f_ep)' },
  AttachEpitemUnlock: { fn: 'attach_epitem', file: EP, text: 'spin_unlock(&file->f_lock)' },
  CloseLock: { fn: 'close_fd', file: FILE, text: 'spin_lock(&files->file_lock)' },
  CloseFileCloseFdLocked: { fn: 'file_close_fd_locked', file: FILE, text: 'file = fd[fd]; rcu_assign_pointer(fd[fd], NULL); __put_unused_fd' },
  CloseUnlock: { fn: 'close_fd', file: FILE, text: 'spin_unlock(&files->file_lock); the table\'s reference now belongs to the caller' },
  DoDup2: { fn: 'do_dup2', file: FILE, text: 'tofree = fd[newfd]; get_file(file); rcu_assign_pointer(fd[newfd], file)' },
  Dup2Lock: { fn: 'ksys_dup3', file: FILE, text: 'spin_lock(&files->file_lock)' },
  Dup2Same: { fn: 'ksys_dup2', file: FILE, text: 'oldfd == newfd: only check that oldfd is open' },
  Dup2Unlock: { fn: 'do_dup2', file: FILE, text: 'spin_unlock(&files->file_lock); the displaced file is closed outside the lock' },
  DupBadFd: { fn: 'ksys_dup', file: FILE, text: 'fget_raw(fildes) found nothing: return -EBADF' },
  EpFind: { fn: 'do_epoll_ctl', file: EP, text: 'epi = ep_find(ep, tf.file, fd), then dispatch on op' },
  EpFreeLockEpmutex: { fn: 'ep_free', file: EP, text: 'mutex_lock(&epmutex)' },
  EpFreeUnregisterPollwait: { fn: 'ep_free', file: EP, text: 'ep_unregister_pollwait() for every epitem' },
  EpFreeLockMtx: { fn: 'ep_free', file: EP, text: 'mutex_lock(&ep->mtx)' },
  EpFreeRemoveFirst: { fn: 'ep_free', file: EP, text: 'rb_first_cached(&ep->rbr); ep_remove(ep, epi)' },
  EpFreeUnlockMtx: { fn: 'ep_free', file: EP, text: 'mutex_unlock(&ep->mtx)' },
  EpFreeUnlockEpmutex: { fn: 'ep_free', file: EP, text: 'mutex_unlock(&epmutex); kfree(ep)' },
  EpInsertWatches: { fn: 'ep_insert', file: EP, text: 'epoll_watches >= max_user_watches ? -ENOSPC : percpu_counter_inc' },
  EpInsertAllocEpi: { fn: 'ep_insert', file: EP, text: 'epi = kmem_cache_zalloc(epi_cache, GFP_KERNEL); ffd = {tfile, fd}' },
  EpItemPollQueue: { fn: 'ep_insert', file: EP, text: 'ep_item_poll -> ep_ptable_queue_proc: allocate eppoll_entry, add to the wait queue' },
  EpModify: { fn: 'ep_modify', file: EP, text: 'epi->event.events = event->events; epi->event.data = event->data' },
  EpRbtreeInsert: { fn: 'ep_insert', file: EP, text: 'if (full_check && !tep) list_file(tfile); ep_rbtree_insert(ep, epi)' },
  EpRemoveFree: { fn: 'ep_remove', file: EP, text: 'call_rcu(&epi->rcu, epi_rcu_free); percpu_counter_dec(epoll_watches)' },
  EpRemoveLockFile: { fn: 'ep_remove', file: EP, text: 'spin_lock(&file->f_lock)' },
  EpRemoveRbErase: { fn: 'ep_remove', file: EP, text: 'rb_erase_cached(&epi->rbn, &ep->rbr); unlink from rdllist' },
  EpRemoveUnlink: { fn: 'ep_remove', file: EP, text: 'hlist_del_rcu(&epi->fllink); f_ep = NULL if it was the last' },
  EpRemoveUnlockFile: { fn: 'ep_remove', file: EP, text: 'spin_unlock(&file->f_lock)' },
  EpUnregisterPollwait: { fn: 'ep_remove', file: EP, text: 'ep_unregister_pollwait(ep, epi)' },
  EpollCtlBadFd: { fn: 'do_epoll_ctl', file: EP, text: 'fdget(epfd) found nothing: -EBADF' },
  EpollCtlCheck: { fn: 'do_epoll_ctl', file: EP, text: 'argument checks failed (EBADF / EPERM: !file_can_poll / EINVAL)' },
  EpollCtlLock: { fn: 'do_epoll_ctl', file: EP, text: 'mutex_lock_nested(&ep->mtx, 0)' },
  EpollCtlFullCheckUnlock: { fn: 'do_epoll_ctl', file: EP, text: 'ADD needs the full check: mutex_unlock(&ep->mtx) before taking epmutex' },
  EpollCtlLockGlobal: { fn: 'do_epoll_ctl', file: EP, text: 'mutex_lock(&epmutex); loop_check_gen++; full_check = 1' },
  EpollCtlRelock: { fn: 'do_epoll_ctl', file: EP, text: 'mutex_lock_nested(&ep->mtx, 0) again' },
  EpollCtlUnlock: { fn: 'do_epoll_ctl', file: EP, text: 'mutex_unlock(&ep->mtx)' },
  EpollCtlClearCheckList: { fn: 'do_epoll_ctl', file: EP, text: 'clear_tfile_check_list(); loop_check_gen++; mutex_unlock(&epmutex)' },
  EpollCtlReturn: { fn: 'do_epoll_ctl', file: EP, text: 'fdput(f) (borrowed: nothing to put); return' },
  FdInstall: { fn: 'fd_install', file: FILE, text: 'rcu_assign_pointer(fdt->fd[fd], file): the caller\'s reference becomes the table\'s' },
  FdgetLight: { fn: '__fget_light', file: FILE, text: 'files->count == 1: borrow fd[fd] without taking a reference' },
  FgetRead: { fn: '__fget_files_rcu', file: FILE, text: 'file = rcu_dereference_raw(fdt->fd[fd])' },
  FgetIncNotZero: { fn: '__fget_files_rcu', file: FILE, text: 'file_ref_get(&file->f_ref): increment unless zero (else retry)' },
  FgetRecheck: { fn: '__fget_files_rcu', file: FILE, text: 'file != fdt->fd[fd] ? fput(file) and retry : return file' },
  FilpFlush: { fn: 'filp_close', file: 'fs/open.c', text: 'filp_flush: "VFS: Close: file count is 0" check, ->flush (sockets: none)' },
  Fput: { fn: 'fput', file: FT, text: 'file_ref_put(&file->f_ref); on the last reference queue __fput as task_work' },
  FputEventpollRelease: { fn: '__fput', file: FT, text: 'eventpoll_release(file): if (file->f_ep) eventpoll_release_file(file)' },
  FputFree: { fn: '__fput', file: FT, text: 'file_free(file)' },
  FputNothingHeld: { fn: 'fput', file: FT, text: 'scenario fput() with no reference held: nothing to put' },
  FputReleaseEpoll: { fn: '__fput', file: FT, text: 'file->f_op->release = ep_eventpoll_release -> ep_free' },
  FputReleaseFree: { fn: '__fput', file: FT, text: 'file->f_op->release (sock_close), then file_free(file)' },
  ReleaseLockEpmutex: { fn: 'eventpoll_release_file', file: EP, text: 'mutex_lock(&epmutex)' },
  ReleaseWalkFep: { fn: 'eventpoll_release_file', file: EP, text: 'hlist_for_each_entry_safe(epi, next, file->f_ep, fllink)' },
  ReleaseLockEpMtx: { fn: 'eventpoll_release_file', file: EP, text: 'ep = epi->ep; mutex_lock_nested(&ep->mtx, 0); ep_remove(ep, epi)' },
  ReleaseUnlockEpMtx: { fn: 'eventpoll_release_file', file: EP, text: 'mutex_unlock(&ep->mtx); epi = next' },
  ReleaseUnlockEpmutex: { fn: 'eventpoll_release_file', file: EP, text: 'mutex_unlock(&epmutex)' },
  ReplaceDoDup2: { fn: 'do_dup2', file: FILE, text: 'tofree = fd[fd]; get_file(file); rcu_assign_pointer(fd[fd], file)' },
  ReplaceFdLock: { fn: 'replace_fd', file: FILE, text: 'spin_lock(&files->file_lock); expand_files(files, fd)' },
  ReplaceFdUnlock: { fn: 'do_dup2', file: FILE, text: 'spin_unlock(&files->file_lock); then filp_close(tofree)' },
  RfcDoReplace: { fn: 'do_replace', file: RFC_FILE, text: 'if (tofree && tofree->f_ep) eventpoll_replace_file(tofree, file)' },
  RfcLockEpmutex: { fn: 'eventpoll_replace_file', file: RFC, text: 'mutex_lock(&epmutex)' },
  RfcWalkFep: { fn: 'eventpoll_replace_file', file: RFC, text: 'hlist_for_each_entry_safe(epi, next, toreplace->f_ep, fllink)' },
  RfcLockEpMtx: { fn: 'eventpoll_replace_file', file: RFC, text: 'ep = epi->ep; mutex_lock(&ep->mtx); fd = epi->ffd.fd; ep_remove(ep, epi)' },
  RfcUnlockEpMtx: { fn: 'eventpoll_replace_file', file: RFC, text: 'mutex_unlock(&ep->mtx); epi = next' },
  RfcUnlockEpmutex: { fn: 'eventpoll_replace_file', file: RFC, text: 'mutex_unlock(&epmutex)' },
  RfcIterateFdLock: { fn: 'iterate_fd', file: FILE, text: 'spin_lock(&files->file_lock) (do_replace\'s walk of every fd)' },
  RfcReplaceFdCallback: { fn: 'do_replace (iterate_fd callback)', file: RFC_FILE, text: 'fd[n] == toreplace: get_file(file); rcu_assign_pointer(fd[n], file)' },
  RfcCallbackUnlock: { fn: 'do_replace (iterate_fd callback)', file: RFC_FILE, text: 'spin_unlock(&files->file_lock); filp_close(toreplace)' },
  RfcCallbackRelock: { fn: 'do_replace (iterate_fd callback)', file: RFC_FILE, text: 'cond_resched(); spin_lock(&files->file_lock); continue with the cached fdt' },
  ClearLockMtx: { fn: 'ep_clear_and_put', file: EP, text: 'mutex_lock(&ep->mtx)' },
  ClearUnregisterPollwait: { fn: 'ep_clear_and_put', file: EP, text: 'ep_unregister_pollwait() for every epitem' },
  ClearRemoveSafe: { fn: 'ep_clear_and_put', file: EP, text: 'rb_next walk: ep_remove_safe(ep, epi) (skips items with epi->dying)' },
  ClearUnlock: { fn: 'ep_clear_and_put', file: EP, text: 'mutex_unlock(&ep->mtx) (ownership handed over)' },
  ClearPutUnlock: { fn: 'ep_clear_and_put', file: EP, text: 'dispose = ep_refcount_dec_and_test(ep); mutex_unlock(&ep->mtx) (v6.4..v6.15 order)' },
  ClearPut: { fn: 'ep_clear_and_put', file: EP, text: 'if (ep_refcount_dec_and_test(ep)) ep_free(ep) (v6.16 order: after the unlock)' },
  DupFdLock: { fn: 'dup_fd', file: FILE, text: 'spin_lock(&oldf->file_lock)' },
  DupFdCopy: { fn: 'dup_fd', file: FILE, text: 'copy the open fds: get_file() for each installed file; reserved slots stay empty' },
  DupFdUnlock: { fn: 'dup_fd', file: FILE, text: 'spin_unlock(&oldf->file_lock); the child has its own table' },
  EpAlloc: { fn: 'ep_alloc', file: EP, text: 'ep = kzalloc(sizeof(*ep), GFP_KERNEL); refcount = 1' },
  EpFreeRef: { fn: 'ep_free', file: EP, text: 'mutex_destroy(&ep->mtx); free_uid(ep->user); kfree(ep)' },
  EpInsertLockTep: { fn: 'ep_insert', file: EP, text: 'mutex_lock_nested(&tep->mtx, 1): the target is an epoll' },
  EpRemoveFreePut: { fn: '__ep_remove', file: EP, text: 'kfree_rcu(epi); epoll_watches--; ep_refcount_dec_and_test(ep) with ep->mtx held' },
  EpRemoveSkipDying: { fn: '__ep_remove', file: EP, text: 'epi->dying && !force: spin_unlock(&file->f_lock); return false' },
  EpReversePathCheck: { fn: 'reverse_path_check', file: EP, text: 'walk the wakeup paths of every file on tfile_check_list' },
  EpiFget: { fn: 'epi_fget', file: EP, text: 'file_ref_get(&file->f_ref): skip the item if the count is already zero' },
  EpollCreateFile: { fn: 'do_epoll_create', file: EP, text: 'anon_inode_getfile("[eventpoll]", &eventpoll_fops, ep)' },
  EpollCtlLockTep: { fn: 'do_epoll_ctl', file: EP, text: 'mutex_lock_nested(&tep->mtx, 1): target is an epoll (every op, before 4ff36ee94d93)' },
  EpollCtlLoop: { fn: 'do_epoll_ctl', file: EP, text: 'ep_loop_check failed: -ELOOP, goto error_tgt_fput' },
  EpollCtlUnlockTep: { fn: 'do_epoll_ctl', file: EP, text: 'mutex_unlock(&tep->mtx)' },
  EpollWaitBadFd: { fn: 'do_epoll_wait', file: EP, text: 'fdget(epfd) found nothing: -EBADF' },
  EpollWaitNotEpoll: { fn: 'do_epoll_wait', file: EP, text: '!is_file_epoll(f.file): -EINVAL' },
  EpollWaitReturn: { fn: 'do_epoll_wait', file: EP, text: 'fdput(f) (borrowed: nothing to put); return the events' },
  ItemPollFile: { fn: 'ep_item_poll', file: EP, text: 'vfs_poll(file, &pt)' },
  ItemPollNested: { fn: 'ep_item_poll', file: EP, text: 'the target is an epoll: __ep_eventpoll_poll(file, &pt, depth + 1)' },
  ItemPollRaw: { fn: 'ep_item_poll', file: EP, text: 'vfs_poll(epi->ffd.file, &pt) on the raw pointer, no reference taken' },
  LoopCheckLock: { fn: 'ep_loop_check_proc', file: EP, text: 'mutex_lock_nested(&ep->mtx, call_nests + 1)' },
  LoopCheckVisit: { fn: 'ep_loop_check_proc', file: EP, text: 'next epitem: an epoll target is walked (ELOOP on a loop), other files go to list_file()' },
  LoopCheckUnlock: { fn: 'ep_loop_check_proc', file: EP, text: 'mutex_unlock(&ep->mtx)' },
  MutexUnlockTail: { fn: '__mutex_unlock_slowpath', file: 'kernel/locking/mutex.c', text: 'the unlocking task still touches the mutex (wait_list) after handing it over' },
  NestedPollLock: { fn: '__ep_eventpoll_poll', file: EP, text: 'mutex_lock_nested(&ep->mtx, depth)' },
  PidfdGetfdBadFd: { fn: 'pidfd_getfd', file: 'kernel/pid.c', text: 'fget_task found nothing: -EBADF' },
  ReceiveFdInstall: { fn: 'receive_fd', file: FILE, text: "get_file(file); fd_install(new_fd, file); then pidfd_getfd's fput" },
  ReleaseRefLockFile: { fn: 'eventpoll_release_file', file: EP, text: 'spin_lock(&file->f_lock)' },
  ReleaseRefDone: { fn: 'eventpoll_release_file', file: EP, text: 'hlist_empty(file->f_ep): spin_unlock(&file->f_lock); return' },
  ReleaseRefClaim: { fn: 'eventpoll_release_file', file: EP, text: 'epi = first on f_ep; epi->dying = true; spin_unlock(&file->f_lock)' },
  ReleaseRefLockEpMtx: { fn: 'eventpoll_release_file', file: EP, text: 'ep = epi->ep; mutex_lock(&ep->mtx); dispose = __ep_remove(ep, epi, true)' },
  ReleaseRefUnlock: { fn: 'eventpoll_release_file', file: EP, text: 'mutex_unlock(&ep->mtx) (ownership handed over)' },
  ReleaseRefPut: { fn: 'eventpoll_release_file', file: EP, text: 'if (dispose && ep_refcount_dec_and_test(ep)) ep_free(ep)' },
  SendEventsLock: { fn: 'ep_send_events', file: EP, text: 'mutex_lock(&ep->mtx)' },
  SendEventsUnlock: { fn: 'ep_send_events', file: EP, text: 'mutex_unlock(&ep->mtx)' },
  RfcIterateFdUnlock: { fn: 'iterate_fd', file: FILE, text: 'no more slots: spin_unlock(&files->file_lock)' },
};

export function stepLabel(id: number): StepLabel {
  const name = Step[id] as keyof typeof STEP_LABELS | undefined;
  const l = name ? STEP_LABELS[name] : undefined;
  return l ?? { fn: '?', file: '?', text: `step ${id}` };
}

/** Link to the source file in the kernel tree (the RFC files point at the mainline file they patch). */
export function sourceUrl(file: string): string {
  const path = file.split(' ')[0] ?? file;
  return `https://github.com/torvalds/linux/blob/master/${path}`;
}
