// Kernel variants: named presets over toggles (model/codes.ts Toggle). Each toggle models one kernel change, so
// `--variant NAME --without TOGGLE` asks what the preset would do without that change.

import { Toggle } from '../model/codes.ts';

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
    doc: 'ep->refcount and epi->dying; the global mutex leaves the release paths (not modelled yet: reserved).',
  },
  {
    name: 'rfc-v4-replace',
    bit: Toggle.RfcV4Replace,
    change: 'RFC "file, epoll: Implement do_replace() and eventpoll_replace()" (2023, v2/v3 code reviewed as v4)',
    doc: 'replace_fd re-keys every epitem of the displaced file and replaces every other fd that refers to it.',
  },
];

export interface VariantInfo {
  name: string;
  toggles: number;
  doc: string;
}

export const VARIANTS: VariantInfo[] = [
  {
    name: 'v6.2',
    toggles: 0,
    doc: 'Stock v6.2-era kernel: global epmutex on ep_free and eventpoll_release_file; ADDFD+SETFD swaps one slot.',
  },
  {
    name: 'rfc-v4',
    toggles: Toggle.RfcV4Replace,
    doc: 'v6.2 plus the 2023 RFC do_replace()/eventpoll_replace() (spec C.1, v3 fd-table walk).',
  },
];

export const VARIANT_NAMES: readonly string[] = VARIANTS.map((v) => v.name);

export function variantByName(name: string): VariantInfo | undefined {
  return VARIANTS.find((v) => v.name === name);
}

/** Resolve a preset plus --with/--without toggle names into a toggle mask. */
export function resolveVariant(name: string, without: string[] = [], withT: string[] = []): { toggles: number; label: string } {
  const v = variantByName(name);
  if (!v) throw new Error(`unknown variant '${name}' (known: ${VARIANT_NAMES.join(', ')})`);
  let mask = v.toggles;
  for (const t of without) {
    const info = TOGGLES.find((x) => x.name === t);
    if (!info) throw new Error(`unknown toggle '${t}' (known: ${TOGGLES.map((x) => x.name).join(', ')})`);
    mask &= ~info.bit;
  }
  for (const t of withT) {
    const info = TOGGLES.find((x) => x.name === t);
    if (!info) throw new Error(`unknown toggle '${t}' (known: ${TOGGLES.map((x) => x.name).join(', ')})`);
    mask |= info.bit;
  }
  const label = [name, ...without.map((t) => `-${t}`), ...withT.map((t) => `+${t}`)].join('');
  return { toggles: mask, label };
}
