// Where a step's code lives, pinned to the kernel release its variant models. A mainline step links to its
// function at that release's tag (a line range when one is recorded below and checked against the committed
// function index, else the function itself through Elixir's identifier search at that tag, never a guessed line);
// a step of a posted RFC links to the posting on lore.kernel.org, since that code was never in any tree.

import { Toggle } from '../../model/codes.ts';
import { KERNEL_INDEX } from './kernel-index.ts';

export interface Release {
  /** Git tag of torvalds/linux ("v6.2"). */
  tag: string;
  /** Why this release: the change that makes the variant's code differ from the one before. */
  why: string;
}

/** The mainline release whose code a variant's non-RFC steps model, from its toggles. A fix switched off means
 *  the code before that fix. */
export function releaseOf(toggles: number): Release {
  if ((toggles & Toggle.CtlDelNoNestedMtx) === 0) return { tag: 'v3.12', why: 'before 4ff36ee94d93 (v3.13): epoll_ctl takes the nested ep->mtx for DEL' };
  if ((toggles & Toggle.CheckListRef) === 0) return { tag: 'v5.8', why: 'before a9ed4a6560b8 (v5.9): files on tfile_check_list are not pinned' };
  if ((toggles & Toggle.EpRefcount) === 0) return { tag: 'v6.2', why: 'global epmutex on ep_free and eventpoll_release_file (before 58c9b016e128, v6.4)' };
  if ((toggles & Toggle.EpiFget) === 0) return { tag: 'v6.4', why: '58c9b016e128: ep->refcount, epnested_mutex' };
  if ((toggles & Toggle.UnlockBeforePut) === 0)
    return { tag: 'v6.15', why: 'epi_fget (4efaa5acf0a1, v6.10); ep reference dropped under ep->mtx (before 8c2e52ebbe88)' };
  return { tag: 'v6.16', why: '8c2e52ebbe88 (v6.16): the ep reference is dropped after mutex_unlock' };
}

export interface RfcPosting {
  version: string;
  /** Where the posting is read: a lore.kernel.org search pinned to the author, subject words and dates of that
   *  revision (the archive's message ids are not recorded here). */
  url: string;
}

const LORE = 'https://lore.kernel.org/all/?q=';

/** The RFC revision a variant models, or null for mainline variants. */
export function rfcOf(toggles: number): RfcPosting | null {
  if (toggles & Toggle.RfcV7) {
    const version = toggles & Toggle.RfcV6LockOrder ? 'v6' : 'v7';
    const dates = version === 'v6' ? 'd:20230520..20230524' : 'd:20230524..20230601';
    return { version, url: `${LORE}${encodeURIComponent(`f:aloktiagi s:eventpoll_replace_file ${dates}`)}` };
  }
  if (toggles & Toggle.RfcV4Replace) {
    const version = toggles & Toggle.RfcWalkV2 ? 'v2' : 'v4';
    const dates = version === 'v2' ? 'd:20230317..20230320' : 'd:20230317..20230501';
    return { version, url: `${LORE}${encodeURIComponent(`f:aloktiagi s:"do_replace() and eventpoll_replace()" ${dates}`)}` };
  }
  return null;
}

const RFC_TAG = /\(RFC v\d+( patch)?\)/;

export function isRfcSource(file: string, fn: string): boolean {
  return RFC_TAG.test(file) || RFC_TAG.test(fn);
}

/** A label's "(RFC v4 patch)" / "(RFC v7)" rewritten to the revision the variant models: the labels are shared
 *  by every revision of the RFC that runs the same step. */
export function variantText(text: string, toggles: number): string {
  const rfc = rfcOf(toggles);
  if (!rfc) return text;
  return text.replace(/\(RFC v\d+( patch)?\)/g, (_, patch: string | undefined) => `(RFC ${rfc.version}${patch ?? ''})`);
}

/**
 * Line ranges of steps, per release: label id (model/steps.ts) -> [first, last]. Each range must lie inside the
 * function the label names, at that release, as recorded in kernel-index.ts (the test checks it). Labels without a
 * range here link at function level.
 */
export const STEP_LINES: Record<string, Record<string, [number, number]>> = {};

export interface SourceRef {
  /** What the link text says: "fs/eventpoll.c @ v6.2", "RFC v7 posting". */
  text: string;
  url: string;
  /** 'lines' (a checked range), 'function' (the function at that tag) or 'rfc' (the posting). */
  precision: 'lines' | 'function' | 'rfc';
  release: string;
  lines?: [number, number];
}

/** The C identifier a label's function names ("do_replace (iterate_fd callback)" -> "do_replace"). */
export function cIdent(fn: string): string | null {
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(fn);
  return m ? m[0] : null;
}

/** The range recorded for a label at a release, only if it lies inside the function the index gives. */
export function checkedRange(release: string, label: string, file: string, fn: string): [number, number] | null {
  const r = STEP_LINES[release]?.[label];
  if (!r) return null;
  const ident = cIdent(fn);
  const span = ident ? KERNEL_INDEX[release]?.[file]?.[ident] : undefined;
  if (!span || r[0] > r[1] || r[0] < span[0] || r[1] > span[1]) return null;
  return r;
}

/** A path in the kernel tree, as labels write them ("fs/eventpoll.c"); anything else gets no link at all. */
const KERNEL_PATH = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,200}\.[ch]$/;

export function sourceRef(step: { label?: string; function: string; source: string }, toggles: number): SourceRef | null {
  const file = step.source.split(' ')[0] ?? step.source;
  if (!KERNEL_PATH.test(file) || file.includes('..')) return null;
  const rfc = rfcOf(toggles);
  if (rfc && isRfcSource(step.source, step.function)) {
    return { text: `RFC ${rfc.version} posting`, url: rfc.url, precision: 'rfc', release: `RFC ${rfc.version}` };
  }
  const rel = releaseOf(toggles).tag;
  const range = step.label ? checkedRange(rel, step.label, file, step.function) : null;
  if (range) {
    return {
      text: `${file}:${range[0]}-${range[1]} @ ${rel}`,
      url: `https://github.com/torvalds/linux/blob/${rel}/${file}#L${range[0]}-L${range[1]}`,
      precision: 'lines',
      release: rel,
      lines: range,
    };
  }
  const ident = cIdent(step.function);
  const url = ident ? `https://elixir.bootlin.com/linux/${rel}/C/ident/${ident}` : `https://github.com/torvalds/linux/blob/${rel}/${file}`;
  return { text: `${file} @ ${rel}`, url, precision: 'function', release: rel };
}
