// Kernel variants: named presets over toggles (model/codes.ts Toggle). Each toggle models one kernel change, so
// `--variant current --without epi-fget` (or, in a scenario file, the variant `current~epi-fget`) asks what the
// preset would do without that change.

import { Toggle } from '../model/codes.ts';
import { EPOLL_FIXES } from './history/epoll-fixes.ts';
import { didYouMean } from './suggest.ts';

export interface ToggleInfo {
  name: string;
  bit: number;
  /** The change it models: commit id and title, or the RFC posting. */
  change: string;
  doc: string;
}

export const TOGGLES: ToggleInfo[] = [
  {
    name: 'ep-refcount',
    bit: Toggle.EpRefcount,
    change: '58c9b016e128 "epoll: use refcount to reduce ep_mutex contention" (v6.4)',
    doc:
      'ep->refcount and epi->dying; eventpoll_release_file and ep_clear_and_put no longer take the global mutex ' +
      '(epmutex becomes epnested_mutex, taken only by the full check of EPOLL_CTL_ADD).',
  },
  {
    name: 'unlock-before-put',
    bit: Toggle.UnlockBeforePut,
    change: '8c2e52ebbe88 "eventpoll: don\'t decrement ep refcount while still holding the ep mutex" (v6.16)',
    doc: "the epitem's ep reference is dropped after mutex_unlock(&ep->mtx) has finished, not inside __ep_remove.",
  },
  {
    name: 'upwards-depth',
    bit: Toggle.UpwardsDepth,
    change: 'f2e467a48287 "eventpoll: Fix semi-unbounded recursion" (v6.16)',
    doc:
      'ep_loop_check adds the depth above the epoll being inserted into (ep_get_upwards_depth_proc) to the depth ' +
      'below the target: EPOLL_CTL_ADD fails with ELOOP when the chain would exceed EP_MAX_NESTS.',
  },
  {
    name: 'epi-fget',
    bit: Toggle.EpiFget,
    change: '4efaa5acf0a1 "epoll: be better about file lifetimes" (v6.9, CVE-2024-38580)',
    doc: 'ep_item_poll takes a reference with epi_fget (increment-if-not-zero) and skips files whose count is zero.',
  },
  {
    name: 'ctl-del-nested-fix',
    bit: Toggle.CtlDelNoNestedMtx,
    change: '4ff36ee94d93 "epoll: do not take the nested ep->mtx on EPOLL_CTL_DEL" (v3.13)',
    doc:
      "without it, epoll_ctl takes the target epoll's mtx (subclass 1) under its own for every op on an epoll " +
      'target, so epoll_ctl(a, DEL, b) and epoll_ctl(b, DEL, a) deadlock ABBA.',
  },
  {
    name: 'check-list-ref',
    bit: Toggle.CheckListRef,
    change: 'a9ed4a6560b8 "epoll: Keep a reference on files added to the check list" (v5.9, CVE-2020-0466)',
    doc:
      'without it, files put on tfile_check_list by the loop check are not pinned: a concurrent DEL + close frees ' +
      'one, and reverse_path_check / clear_tfile_check_list use it after free.',
  },
  {
    name: 'file-typesafe-rcu',
    bit: Toggle.FileTypesafeRcu,
    change: '0ede61d8589c "file: convert to SLAB_TYPESAFE_BY_RCU" (v6.7)',
    doc:
      'file_free() is kmem_cache_free() into a SLAB_TYPESAFE_BY_RCU cache instead of call_rcu(): the memory may be ' +
      'reused at once by another struct file, so a lockless reader must re-check identity after get_file_rcu, and a ' +
      'lock still held in the freed file is lockdep\'s "held lock freed!".',
  },
  {
    name: 'fget-recheck',
    bit: Toggle.FgetRecheck,
    change: '054aa8d439b9 "fget: check that the fd still exists after getting a ref to it" (v5.16, CVE-2021-4083)',
    doc:
      'after get_file_rcu, __fget_files_rcu re-reads the slot and puts the reference and retries if it changed; ' +
      'without it, on a SLAB_TYPESAFE_BY_RCU kernel, the reader may keep a reference on the file that reused the memory.',
  },
  {
    name: 'ep-remove-pin',
    bit: Toggle.EpRemovePin,
    change: 'a6dc643c6931 "eventpoll: fix ep_remove struct eventpoll / struct file UAF" (2026; stable 7.0, 6.12, 6.6, 5.15)',
    doc:
      'ep_remove_safe pins the file with epi_fget before f_lock and bails if its count is zero; without it, a __fput ' +
      'that reads the transient f_ep == NULL frees the file (held lock freed, recycled under f_lock) or, for an ' +
      'epoll file, kfree()s the struct eventpoll that hlist_del_rcu then writes (KASAN slab-use-after-free).',
  },
  {
    name: 'rfc-v4-walk-v2',
    bit: Toggle.RfcWalkV2,
    change: 'RFC v2 (2023-03-18) fd-table walk: iterate_fd_locked() without file_lock, pick_file() after the install',
    doc: "the walk writes slots without file_lock and, as posted, closes fd n and leaks slot n's reference on the old file.",
  },
  {
    name: 'rfc-v7',
    bit: Toggle.RfcV7,
    change: 'RFC v5..v7 (2023-04-29..05-24): SECCOMP_ADDFD_FLAG_REPLACE_REF -> eventpoll_replace_file(old, new, tfd)',
    doc: 'before receive_fd_replace, only epitems with ffd.fd == tfd move to the new file; a cleanup loop removes the losers.',
  },
  {
    name: 'rfc-v6-lock-order',
    bit: Toggle.RfcV6LockOrder,
    change: "RFC v6 (2023-05-23): mutex_lock(&ep->mtx) under the old file's f_lock (flagged by Matthew Wilcox)",
    doc: 'sleeps under a spinlock and inverts ep->mtx -> f_lock.',
  },
  {
    name: 'frozen-target',
    bit: Toggle.FrozenTarget,
    change: 'userspace supervisor freezing the target (cgroup v2 freezer) from NOTIF_RECV to the reply',
    doc: "the target's other tasks stop at their next return to user space; the trapped task stays in its notification wait.",
  },
  {
    name: 'rfc-v4-replace',
    bit: Toggle.RfcV4Replace,
    change: 'RFC "file, epoll: Implement do_replace() and eventpoll_replace()" (2023, v2/v3 code reviewed as v4)',
    doc: 'replace_fd re-keys every epitem of the displaced file and replaces every other fd that refers to it.',
  },
  // Issue 10, epoll history (checker/history/epoll-fixes.ts): until the ToggleInfo contract lands here, a mapped copy.
  ...EPOLL_FIXES.map((t) => ({
    name: t.name,
    bit: t.bit,
    change: `${t.commit} "${t.title}" (${t.release}${t.cve ? `, ${t.cve}` : ''})`,
    doc: t.doc,
  })),
];

export interface VariantInfo {
  name: string;
  toggles: number;
  doc: string;
}

/** The epoll history toggles that every preset here has (all are older than v6.2 or, loop-depth-overflow, in
 *  mainline with upwards-depth): presets before them arrive with the release presets (issue 10). */
const EPOLL_HISTORY =
  Toggle.LoopCheck | Toggle.LimitPaths | Toggle.EloopClearCheckList | Toggle.FullCheckNarrow | Toggle.FastPathGen | Toggle.CheckListRcu | Toggle.FepHlist;
const FIXED_BEFORE_6_2 = Toggle.CtlDelNoNestedMtx | Toggle.CheckListRef | Toggle.FgetRecheck | EPOLL_HISTORY;
const CURRENT =
  FIXED_BEFORE_6_2 |
  Toggle.EpRefcount |
  Toggle.EpiFget |
  Toggle.UnlockBeforePut |
  Toggle.FileTypesafeRcu |
  Toggle.EpRemovePin |
  Toggle.UpwardsDepth |
  Toggle.LoopDepthOverflow;
/** The v6.16 changes: the unlock-before-put order and the upward depth of the loop check (and its 2026 fix). */
const V6_16 = Toggle.UnlockBeforePut | Toggle.UpwardsDepth | Toggle.LoopDepthOverflow;

export const VARIANTS: VariantInfo[] = [
  {
    name: 'v6.2',
    toggles: FIXED_BEFORE_6_2,
    doc: 'v6.2-era kernel: global epmutex on ep_free and eventpoll_release_file; ADDFD+SETFD swaps one slot.',
  },
  {
    name: 'current',
    toggles: CURRENT,
    doc: 'mainline after the 2023 refcount rework, the 2024 epi_fget change, the v6.16 unlock-before-put order and the 2026 ep_remove pin.',
  },
  {
    name: 'current-pre-6.16',
    toggles: CURRENT & ~V6_16 & ~Toggle.EpRemovePin,
    doc: 'v6.4..v6.15: refcount rework, but __ep_remove drops the ep reference while ep->mtx is still held (and no 2026 ep_remove pin).',
  },
  {
    name: 'rfc-v4',
    toggles: FIXED_BEFORE_6_2 | Toggle.RfcV4Replace,
    doc: 'v6.2 plus the 2023 RFC do_replace()/eventpoll_replace() (docs/model.md §C.1, v3 fd-table walk).',
  },
  {
    name: 'rfc-v4-v2',
    toggles: FIXED_BEFORE_6_2 | Toggle.RfcV4Replace | Toggle.RfcWalkV2,
    doc: 'rfc-v4 with the RFC v2 fd-table walk (no file_lock, pick_file after the install).',
  },
  {
    name: 'rfc-v7',
    toggles: (CURRENT & ~V6_16 & ~Toggle.FileTypesafeRcu & ~Toggle.EpRemovePin) | Toggle.RfcV7,
    doc: 'the RFC as revised in v5..v7 (docs/model.md §C.2), on the v6.4-era refcount epoll it was written against.',
  },
  {
    name: 'rfc-v6',
    toggles: (CURRENT & ~V6_16 & ~Toggle.FileTypesafeRcu & ~Toggle.EpRemovePin) | Toggle.RfcV7 | Toggle.RfcV6LockOrder,
    doc: "rfc-v7's predecessor: the same walk taking ep->mtx under the old file's f_lock.",
  },
  {
    name: 'userspace',
    toggles: CURRENT,
    doc: "the current kernel; the design is the supervisor's program (threads `when userspace`): ADDFD per fd, epoll fix-up through pidfd_getfd.",
  },
  {
    name: 'userspace-frozen',
    toggles: CURRENT | Toggle.FrozenTarget,
    doc: 'userspace, with the target process frozen from NOTIF_RECV until the reply.',
  },
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
