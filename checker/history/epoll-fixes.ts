// The history of fs/eventpoll.c as toggles (issue 10): each fix or restructuring of the epoll code since v2.6.38
// that the model follows by its mechanics. Bits 1<<14 .. 1<<22 of model/codes.ts Toggle; a toggle's step-program
// differences are in model/routines/ (epoll_ctl.ts, loop_check.ts, loop_limits.ts, epitem.ts) and docs/model.md
// §C.0. Every 'fix' has a history scenario that is violated without it and passes with it.

import { Toggle } from '../../model/codes.ts';
import type { ToggleInfo } from './toggle-info.ts';

export const EPOLL_FIXES: ToggleInfo[] = [
  {
    name: 'loop-check',
    bit: Toggle.LoopCheck,
    kind: 'fix',
    commit: '22bacca48a17',
    title: 'epoll: prevent creating circular epoll structures',
    release: 'v2.6.38',
    scenario: 'scenarios/history/epoll-cycle-22bacca48a17.fdr',
    doc:
      'EPOLL_CTL_ADD of an epoll file takes the global epmutex and runs ep_loop_check (EpLoopCheck) before inserting; ' +
      'without it nothing stops two epolls from watching each other.',
  },
  {
    name: 'limit-paths',
    bit: Toggle.LimitPaths,
    kind: 'fix',
    commit: '28d82dc1c4ed',
    title: 'epoll: limit paths',
    release: 'v3.3',
    cve: 'CVE-2011-1083',
    scenario: 'scenarios/history/cve-2011-1083-limit-paths-28d82dc1c4ed.fdr',
    doc:
      'every EPOLL_CTL_ADD takes the full check: the target file (and the files the loop check meets) go on ' +
      'tfile_check_list and ep_insert runs reverse_path_check (EpReversePathCheck) against path_limits, removing the ' +
      'item again with -EINVAL; the loop check walks an epoll once per check. Without it no path is ever counted.',
  },
  {
    name: 'eloop-clear-check-list',
    bit: Toggle.EloopClearCheckList,
    kind: 'fix',
    commit: '13d518074a95',
    title: 'epoll: clear the tfile_check_list on -ELOOP',
    release: 'v3.4',
    cve: 'CVE-2012-3375',
    fixes: 'limit-paths',
    scenario: 'scenarios/history/cve-2012-3375-eloop-check-list-13d518074a95.fdr',
    doc:
      'the ELOOP exit of do_epoll_ctl runs clear_tfile_check_list before unlocking the global mutex; without it ' +
      '(EpollCtlLoopUnlock) the files the loop check listed stay on tfile_check_list.',
  },
  {
    name: 'full-check-narrow',
    bit: Toggle.FullCheckNarrow,
    kind: 'change',
    commit: '67347fe4e632',
    title: "epoll: do not take global 'epmutex' for simple topologies",
    release: 'v3.13',
    doc:
      'do_epoll_ctl takes ep->mtx first and only an ADD into a watched epoll (or of an epoll file) drops it for the ' +
      'global mutex (EpollCtlFullCheckUnlock); before it every ADD took epmutex first, then ep->mtx (EpollCtlLockAfterGlobal).',
  },
  {
    name: 'fast-path-gen',
    bit: Toggle.FastPathGen,
    kind: 'fix',
    commit: 'fe0a916c1eae',
    title: 'epoll: EPOLL_CTL_ADD: close the race in decision to take fast path',
    release: 'v5.9',
    fixes: 'full-check-narrow',
    scenario: 'scenarios/history/fast-path-race-fe0a916c1eae.fdr',
    doc:
      'the fast-path test also takes the full check when ep->gen == loop_check_gen (a running loop check visited this ' +
      'epoll and has not linked it yet); without it a file added there escapes reverse_path_check.',
  },
  {
    name: 'check-list-rcu',
    bit: Toggle.CheckListRcu,
    kind: 'fix',
    commit: '77f4689de17c',
    title: 'fix regression from a9ed4a6560b8 ("epoll: Keep a reference on files added to the check list")',
    release: 'v5.9',
    fixes: 'check-list-ref',
    scenario: 'scenarios/history/check-list-revive-77f4689de17c.fdr',
    doc:
      'the loop check pins a listed file with get_file_rcu and skips it when its count is already zero; without it ' +
      "get_file revives a file whose __fput waits for epmutex, and clear_tfile_check_list's fput runs __fput twice.",
  },
  {
    name: 'f-ep-hlist',
    bit: Toggle.FepHlist,
    kind: 'change',
    commit: '319c15174757',
    title: 'epoll: take epitem list out of struct file',
    release: 'v5.11',
    doc:
      'file->f_ep points to an hlist head (ep->refs, or an epitems_head that attach_epitem allocates) and ep_remove ' +
      'publishes f_ep = NULL before hlist_del_rcu; tfile_check_list chains epitems_head and holds no file reference. ' +
      'Without it: the f_ep_links list_head in struct file, list_add_tail_rcu (EpInsertLinkTail) and list_del_rcu ' +
      '(EpRemoveListDel), and the check list pins files (ClearCheckListPut).',
  },
  {
    name: 'loop-depth-overflow',
    bit: Toggle.LoopDepthOverflow,
    kind: 'fix',
    commit: 'fdcfce93073d',
    title: 'eventpoll: Fix integer overflow in ep_loop_check_proc()',
    release: 'v7.0',
    fixes: 'upwards-depth',
    stable: ['6.12', '6.6'],
    scenario: 'scenarios/history/loop-depth-overflow-fdcfce93073d.fdr',
    doc:
      'ep_loop_check_proc reports a loop or an over-deep walk as EP_MAX_NESTS + 1; with INT_MAX (f2e467a48287) the ' +
      "caller's max(result, depth + 1) wrapped it to INT_MIN, so a loop found below the top of the walk was dropped " +
      'and the ADD closed a cycle.',
  },
];
