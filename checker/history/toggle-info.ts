// The metadata of a toggle (a bit of Toggle in model/codes.ts; on = the kernel change is present). Release presets
// are derived from it (checker/variants.ts), `fdrace variants` and docs/history.md print it.

export type ToggleKind = 'fix' | 'change' | 'design';

export interface ToggleInfo {
  /** kebab-case, e.g. 'ep-refcount'. */
  name: string;
  /** Toggle.X. */
  bit: number;
  /** fix: fixes a race, refcount, lifetime, deadlock, loop-limit or ordering bug, and has a history scenario
   *  violated without it and passing with it; change: a mainline restructuring with no bug of its own;
   *  design: an RFC or userspace design, in no release. */
  kind: ToggleKind;
  /** 12 hex digits of the mainline commit (fix/change). */
  commit?: string;
  /** fix/change: the commit's subject line, exactly; design: the RFC posting or the userspace design. */
  title?: string;
  /** First mainline release that contains it: 'v3.13' .. 'v6.16', 'v7.0' ... (fix/change). */
  release?: string;
  cve?: string;
  /** The toggle this one fixes (a fix of a fix), if modelled. */
  fixes?: string;
  /** Stable trees it was backported to (informational; presets are .0 releases and carry no backports). */
  stable?: string[];
  /** 'scenarios/history/<file>.fdr' (required for kind 'fix'). */
  scenario?: string;
  /** What changes in the step programs, in the kernel's words. */
  doc: string;
}

/** [major, minor, sub] of 'vX.Y' or 'v2.6.Z' (the releases before v3.0); throws on anything else (a defect in a
 *  toggle table, caught by its test). */
export function releaseKey(release: string): [number, number, number] {
  const m = /^v(\d+)\.(\d+)(?:\.(\d+))?$/.exec(release);
  if (!m) throw new Error(`release '${release}' is not of the form vX.Y`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Version order: v3.13 < v4.19 < v5.4 < ... < v6.18 < v7.0. */
export function compareReleases(a: string, b: string): number {
  const [am, an, az] = releaseKey(a);
  const [bm, bn, bz] = releaseKey(b);
  return am - bm || an - bn || az - bz;
}

/** The one-line description `fdrace variants` prints: commit, subject, release, CVE and stable trees; for a
 *  design, what it is. */
export function changeLine(t: ToggleInfo): string {
  if (t.kind === 'design') return t.title ?? t.doc;
  const extra = [t.release, t.cve, t.stable?.length ? `stable ${t.stable.join(', ')}` : ''].filter(Boolean).join(', ');
  return `${t.commit} "${t.title}" (${extra})`;
}

/** What is wrong with a toggle table (empty when nothing is): the contract every history file follows. */
export function toggleTableErrors(list: readonly ToggleInfo[]): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  const bits = new Set<number>();
  for (const t of list) {
    const at = `toggle '${t.name}'`;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(t.name)) errors.push(`${at}: name is not kebab-case`);
    if (names.has(t.name)) errors.push(`${at}: name given twice`);
    names.add(t.name);
    if (!Number.isInteger(Math.log2(t.bit)) || t.bit < 1 || t.bit > 2 ** 30) errors.push(`${at}: bit ${t.bit} is not one of 1<<0 .. 1<<30`);
    if (bits.has(t.bit)) errors.push(`${at}: bit ${t.bit} is used twice`);
    bits.add(t.bit);
    if (t.doc.trim() === '') errors.push(`${at}: no doc`);
    if (t.kind === 'design') {
      if (t.commit || t.release) errors.push(`${at}: a design is in no release (no commit, no release)`);
      continue;
    }
    if (!t.commit || !/^[0-9a-f]{12}$/.test(t.commit)) errors.push(`${at}: commit must be 12 hex digits`);
    if (!t.title) errors.push(`${at}: no commit title`);
    if (!t.release || !/^v(\d+\.\d+|2\.6\.\d+)$/.test(t.release)) errors.push(`${at}: release must be vX.Y (or v2.6.Z)`);
    if (t.cve !== undefined && !/^CVE-\d{4}-\d{4,}$/.test(t.cve)) errors.push(`${at}: cve '${t.cve}' is not CVE-YYYY-N`);
    if (t.kind === 'fix' && !t.scenario) errors.push(`${at}: a fix needs its history scenario`);
    if (t.scenario !== undefined && !/^scenarios\/history\/[^/]+\.fdr$/.test(t.scenario)) errors.push(`${at}: scenario must be scenarios/history/<file>.fdr`);
  }
  for (const t of list) if (t.fixes !== undefined && !names.has(t.fixes)) errors.push(`toggle '${t.name}': fixes unknown toggle '${t.fixes}'`);
  return errors;
}
