// Kernel variants: named presets over toggles (model/codes.ts Toggle). Each toggle models one kernel change, so
// `--variant current --without epi-fget` (or, in a scenario file, the variant `current~epi-fget`) asks what the
// preset would do without that change.

import { Toggle } from '../model/codes.ts';
import { EPOLL_FIXES } from './history/epoll-fixes.ts';
import { didYouMean } from './suggest.ts';
import { FILE_FIXES } from './history/file-fixes.ts';
import { compareReleases, type ToggleInfo } from './history/toggle-info.ts';

export type { ToggleInfo } from './history/toggle-info.ts';
export { changeLine, compareReleases } from './history/toggle-info.ts';

/** The changes the model knew before the kernel-history work (docs/model.md §C.0), and the RFC / userspace designs. */
const MAINLINE_AND_DESIGNS: ToggleInfo[] = [
  {
    name: 'ep-refcount',
    bit: Toggle.EpRefcount,
    kind: 'change',
    commit: '58c9b016e128',
    title: 'epoll: use refcount to reduce ep_mutex contention',
    release: 'v6.4',
    doc:
      'ep->refcount and epi->dying; eventpoll_release_file and ep_clear_and_put no longer take the global mutex ' +
      '(epmutex becomes epnested_mutex, taken only by the full check of EPOLL_CTL_ADD).',
  },
  {
    name: 'unlock-before-put',
    bit: Toggle.UnlockBeforePut,
    kind: 'fix',
    commit: '8c2e52ebbe88',
    title: "eventpoll: don't decrement ep refcount while still holding the ep mutex",
    release: 'v6.16',
    cve: 'CVE-2025-38349',
    fixes: 'ep-refcount',
    stable: ['6.15', '6.12'],
    scenario: 'scenarios/history/cve-2025-38349-unlock-before-put-8c2e52ebbe88.fdr',
    doc: "the epitem's ep reference is dropped after mutex_unlock(&ep->mtx) has finished, not inside __ep_remove.",
  },
  {
    name: 'upwards-depth',
    bit: Toggle.UpwardsDepth,
    kind: 'fix',
    commit: 'f2e467a48287',
    title: 'eventpoll: Fix semi-unbounded recursion',
    release: 'v6.17',
    stable: ['6.16'],
    scenario: 'scenarios/history/semi-unbounded-recursion-f2e467a48287.fdr',
    doc:
      'ep_loop_check adds the depth above the epoll being inserted into (ep_get_upwards_depth_proc) to the depth ' +
      'below the target: EPOLL_CTL_ADD fails with ELOOP when the chain would exceed EP_MAX_NESTS.',
  },
  {
    name: 'epi-fget',
    bit: Toggle.EpiFget,
    kind: 'fix',
    commit: '4efaa5acf0a1',
    title: 'epoll: be better about file lifetimes',
    release: 'v6.9',
    cve: 'CVE-2024-38580',
    scenario: 'scenarios/history/cve-2024-38580-epi-fget-4efaa5acf0a1.fdr',
    doc: 'ep_item_poll takes a reference with epi_fget (increment-if-not-zero) and skips files whose count is zero.',
  },
  {
    name: 'ctl-del-nested-fix',
    bit: Toggle.CtlDelNoNestedMtx,
    kind: 'fix',
    commit: '4ff36ee94d93',
    title: 'epoll: do not take the nested ep->mtx on EPOLL_CTL_DEL',
    release: 'v3.13',
    scenario: 'scenarios/history/ctl-del-abba-4ff36ee94d93.fdr',
    doc:
      "without it, epoll_ctl takes the target epoll's mtx (subclass 1) under its own for every op on an epoll " +
      'target, so epoll_ctl(a, DEL, b) and epoll_ctl(b, DEL, a) deadlock ABBA.',
  },
  {
    name: 'check-list-ref',
    bit: Toggle.CheckListRef,
    kind: 'fix',
    commit: 'a9ed4a6560b8',
    title: 'epoll: Keep a reference on files added to the check list',
    release: 'v5.9',
    cve: 'CVE-2020-0466',
    scenario: 'scenarios/history/cve-2020-0466-check-list-a9ed4a6560b8.fdr',
    doc:
      'without it, files put on tfile_check_list by the loop check are not pinned: a concurrent DEL + close frees ' +
      'one, and reverse_path_check / clear_tfile_check_list use it after free.',
  },
  {
    name: 'file-typesafe-rcu',
    bit: Toggle.FileTypesafeRcu,
    kind: 'change',
    commit: '0ede61d8589c',
    title: 'file: convert to SLAB_TYPESAFE_BY_RCU',
    release: 'v6.7',
    doc:
      'file_free() is kmem_cache_free() into a SLAB_TYPESAFE_BY_RCU cache instead of call_rcu(): the memory may be ' +
      'reused at once by another struct file, so a lockless reader must re-check identity after get_file_rcu, and a ' +
      'lock still held in the freed file is lockdep\'s "held lock freed!".',
  },
  {
    name: 'fget-recheck',
    bit: Toggle.FgetRecheck,
    kind: 'fix',
    commit: '054aa8d439b9',
    title: 'fget: check that the fd still exists after getting a ref to it',
    release: 'v5.16',
    cve: 'CVE-2021-4083',
    scenario: 'scenarios/history/fget-recheck-054aa8d439b9.fdr',
    doc:
      'after get_file_rcu, __fget_files_rcu re-reads the slot and puts the reference and retries if it changed; ' +
      'without it, on a SLAB_TYPESAFE_BY_RCU kernel, the reader may keep a reference on the file that reused the memory.',
  },
  {
    name: 'ep-remove-pin',
    bit: Toggle.EpRemovePin,
    kind: 'fix',
    commit: 'a6dc643c6931',
    title: 'eventpoll: fix ep_remove struct eventpoll / struct file UAF',
    release: 'v7.1',
    cve: 'CVE-2026-46242',
    fixes: 'ep-refcount',
    stable: ['7.0', '6.12', '6.6', '6.1', '5.15'],
    scenario: 'scenarios/history/ep-remove-uaf-a6dc643c6931.fdr',
    doc:
      'ep_remove_safe pins the file with epi_fget before f_lock and bails if its count is zero; without it, a __fput ' +
      'that reads the transient f_ep == NULL frees the file (held lock freed, recycled under f_lock) or, for an ' +
      'epoll file, kfree()s the struct eventpoll that hlist_del_rcu then writes (KASAN slab-use-after-free).',
  },
  {
    name: 'rfc-v4-walk-v2',
    bit: Toggle.RfcWalkV2,
    kind: 'design',
    title: 'RFC v2 (2023-03-18) fd-table walk: iterate_fd_locked() without file_lock, pick_file() after the install',
    doc: "the walk writes slots without file_lock and, as posted, closes fd n and leaks slot n's reference on the old file.",
  },
  {
    name: 'rfc-v7',
    bit: Toggle.RfcV7,
    kind: 'design',
    title: 'RFC v5..v7 (2023-04-29..05-24): SECCOMP_ADDFD_FLAG_REPLACE_REF -> eventpoll_replace_file(old, new, tfd)',
    doc: 'before receive_fd_replace, only epitems with ffd.fd == tfd move to the new file; a cleanup loop removes the losers.',
  },
  {
    name: 'rfc-v6-lock-order',
    bit: Toggle.RfcV6LockOrder,
    kind: 'design',
    title: "RFC v6 (2023-05-23): mutex_lock(&ep->mtx) under the old file's f_lock (flagged by Matthew Wilcox)",
    doc: 'sleeps under a spinlock and inverts ep->mtx -> f_lock.',
  },
  {
    name: 'frozen-target',
    bit: Toggle.FrozenTarget,
    kind: 'design',
    title: 'userspace supervisor freezing the target (cgroup v2 freezer) from NOTIF_RECV to the reply',
    doc: "the target's other tasks stop at their next return to user space; the trapped task stays in its notification wait.",
  },
  {
    name: 'rfc-v4-replace',
    bit: Toggle.RfcV4Replace,
    kind: 'design',
    title: 'RFC "file, epoll: Implement do_replace() and eventpoll_replace()" (2023, v2/v3 code reviewed as v4)',
    doc: 'replace_fd re-keys every epitem of the displaced file and replaces every other fd that refers to it.',
  },
];

/** Every toggle: the ones above, then the fixes of fs/eventpoll.c and of the fd table / struct file / seccomp. */
export const TOGGLES: ToggleInfo[] = [...MAINLINE_AND_DESIGNS, ...EPOLL_FIXES, ...FILE_FIXES];

/** The long-term releases with a preset each (as of their .0 release), oldest first. */
export const RELEASE_PRESETS: readonly string[] = ['v4.19', 'v5.4', 'v5.10', 'v5.15', 'v6.1', 'v6.6', 'v6.12', 'v6.18'];

/** `current` is mainline as of this release: the newest whose fs/eventpoll.c, fs/file.c and fs/file_table.c the
 *  toggles were checked against (a6dc643c6931, the newest modelled fix, was merged for v7.1-rc1). */
export const CURRENT_RELEASE = 'v7.1';

/** The presets `fdrace affected` runs a scenario on, oldest first. */
export const AFFECTED_PRESETS: readonly string[] = [...RELEASE_PRESETS, 'current'];

/** The kernel as of release R (its .0): every fix and change released in R or before. */
export function releaseMask(release: string): number {
  let mask = 0;
  for (const t of TOGGLES) if (t.kind !== 'design' && compareReleases(t.release!, release) <= 0) mask |= t.bit;
  return mask;
}

export interface VariantInfo {
  name: string;
  toggles: number;
  doc: string;
  /** Release presets and `current`: the release whose .0 the mask is derived from. */
  release?: string;
  /** Presets defined as another kernel plus design toggles: that kernel (a release, 'vX.Y'). */
  base?: string;
  /** The toggles added to the base (designs, or a fix the design was evaluated with). */
  adds?: string[];
}

const bitOf = (name: string): number => TOGGLES.find((t) => t.name === name)!.bit;

function release(name: string, doc: string, rel = name): VariantInfo {
  return { name, toggles: releaseMask(rel), doc, release: rel };
}

function onBase(name: string, base: string, adds: string[], doc: string): VariantInfo {
  return { name, toggles: adds.reduce((m, t) => m | bitOf(t), releaseMask(base)), doc, base, adds };
}

export const VARIANTS: VariantInfo[] = [
  ...RELEASE_PRESETS.map((r) => release(r, `mainline as of ${r}.0: every fix and change released by then (no stable backports).`)),
  release('current', `mainline as of ${CURRENT_RELEASE}.0: every fix and change the model knows, up to the 2026 ep_remove pin.`, CURRENT_RELEASE),
  release('v6.2', 'v6.2-era kernel: global epmutex on ep_free and eventpoll_release_file; ADDFD+SETFD swaps one slot.'),
  release(
    'current-pre-6.16',
    'the v6.4..v6.15 eventpoll (refcount rework, but __ep_remove drops the ep reference while ep->mtx is still held; no 2026 ep_remove pin), as of v6.12: before file_ref_t (v6.13).',
    'v6.12',
  ),
  onBase('rfc-v4', 'v6.2', ['rfc-v4-replace'], 'v6.2 plus the 2023 RFC do_replace()/eventpoll_replace() (docs/model.md §C.1, v3 fd-table walk).'),
  onBase('rfc-v4-v2', 'v6.2', ['rfc-v4-replace', 'rfc-v4-walk-v2'], 'rfc-v4 with the RFC v2 fd-table walk (no file_lock, pick_file after the install).'),
  onBase(
    'rfc-v7',
    'v6.4',
    ['epi-fget', 'rfc-v7'],
    'the RFC as revised in v5..v7 (docs/model.md §C.2), on the v6.4 refcount epoll it was written against (with epi_fget).',
  ),
  onBase('rfc-v6', 'v6.4', ['epi-fget', 'rfc-v7', 'rfc-v6-lock-order'], "rfc-v7's predecessor: the same walk taking ep->mtx under the old file's f_lock."),
  onBase(
    'userspace',
    CURRENT_RELEASE,
    [],
    "the current kernel; the design is the supervisor's program (threads `when userspace`): ADDFD per fd, epoll fix-up through pidfd_getfd.",
  ),
  onBase('userspace-frozen', CURRENT_RELEASE, ['frozen-target'], 'userspace, with the target process frozen from NOTIF_RECV until the reply.'),
];

export const VARIANT_NAMES: readonly string[] = VARIANTS.map((v) => v.name);

export function variantByName(name: string): VariantInfo | undefined {
  return VARIANTS.find((v) => v.name === name);
}

/** A variant as one typed value: a preset, the toggles switched off ("~T") and on ("+T"), the resulting toggle
 *  mask and the canonical label. Labels are parsed in exactly one place (parseVariant) and written in exactly one
 *  (formatVariant): "PRESET~OFF1~OFF2+ON1+ON2", e.g. "current~epi-fget" or "v6.2+rfc-v4-replace". The preset is
 *  what `thread ... when PRESET` lists match. */
export interface Variant {
  readonly preset: string;
  readonly without: readonly string[];
  readonly with: readonly string[];
  readonly toggles: number;
  readonly label: string;
}

/** A variant label or toggle name that does not exist (a usage or scenario error, never an internal one). */
export class VariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VariantError';
  }
}

const TOGGLE_NAMES: readonly string[] = TOGGLES.map((t) => t.name);

function toggleInfo(name: string): ToggleInfo {
  const info = TOGGLES.find((x) => x.name === name);
  if (!info) throw new VariantError(`unknown toggle '${name}'${didYouMean(name, TOGGLE_NAMES)} (known: ${TOGGLE_NAMES.join(', ')})`);
  return info;
}

/** The canonical label of a preset with toggles switched off and on. */
export function formatVariant(v: { preset: string; without: readonly string[]; with: readonly string[] }): string {
  return v.preset + v.without.map((t) => `~${t}`).join('') + v.with.map((t) => `+${t}`).join('');
}

/** Build a variant from its parts; every name is checked. */
export function makeVariant(preset: string, without: readonly string[] = [], withT: readonly string[] = []): Variant {
  const p = variantByName(preset);
  if (!p) throw new VariantError(`unknown variant '${preset}'${didYouMean(preset, VARIANT_NAMES)} (known: ${VARIANT_NAMES.join(', ')})`);
  let mask = p.toggles;
  const seen = new Map<string, string>();
  for (const [sign, list] of [
    ['~', without],
    ['+', withT],
  ] as const) {
    for (const t of list) {
      const prev = seen.get(t);
      if (prev !== undefined) {
        throw new VariantError(prev === sign ? `toggle '${t}' is given twice` : `toggle '${t}' is switched both on and off`);
      }
      seen.set(t, sign);
      const bit = toggleInfo(t).bit;
      mask = sign === '~' ? mask & ~bit : mask | bit;
    }
  }
  const v = { preset, without: [...without], with: [...withT] };
  return { ...v, toggles: mask, label: formatVariant(v) };
}

/** Parse a label "PRESET(~TOGGLE|+TOGGLE)*" (toggles off and on, in any order; written back canonically). */
export function parseVariant(label: string): Variant {
  const parts = label.split(/([~+])/);
  const preset = parts[0] ?? '';
  const without: string[] = [];
  const withT: string[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const t = parts[i + 1]!;
    if (t === '') throw new VariantError(`variant '${label}': expected a toggle name after '${parts[i]}'`);
    (parts[i] === '~' ? without : withT).push(t);
  }
  return makeVariant(preset, without, withT);
}

/** A label plus command-line --without/--with toggles, as one variant. */
export function resolveVariant(spec: string, without: readonly string[] = [], withT: readonly string[] = []): Variant {
  const base = parseVariant(spec);
  return makeVariant(base.preset, [...base.without, ...without], [...base.with, ...withT]);
}

/** Validator for scenario files: null if the label names a preset and known toggles, else the error. */
export function checkVariantSpec(spec: string): string | null {
  try {
    parseVariant(spec);
    return null;
  } catch (e) {
    if (e instanceof VariantError) return e.message;
    throw e;
  }
}
