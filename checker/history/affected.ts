// Which kernels have a race: one scenario on a list of presets (`fdrace affected`), and the toggle(s) whose
// addition makes a violation go away (`--bisect`). Every run goes through the Session, like `fdrace check`.

import type { Scenario } from '../scenario/types.ts';
import type { SearchResult } from '../search/result.ts';
import type { RunOptions, Session } from '../session.ts';
import { TOGGLES, compareReleases, makeVariant, type ToggleInfo, type Variant } from '../variants.ts';

export interface AffectedRow {
  file: string;
  scenario: string;
  /** The variant label the scenario ran on. */
  preset: string;
  verdict: SearchResult['verdict'];
  /** Properties violated, in the order the search found them. */
  violated: string[];
  /** Steps of the shortest counterexample (breadth-first search finds the shortest), null when none. */
  shortest: number | null;
  states: number;
  /** Why the search stopped early, when it did. */
  incomplete?: string;
  /** Threads whose `when` list leaves this preset out: the scenario runs without them here (a deadlock may only
   *  mean that a design's or a supervisor's thread is absent on this kernel). */
  notRun?: string[];
}

/** A violation or a deadlock: what the race looks like on a kernel that has it. */
export const isBad = (r: AffectedRow): boolean => r.verdict === 'violation' || r.verdict === 'deadlock';

export async function runOn(session: Session, s: Scenario, file: string, v: Variant, run: RunOptions): Promise<AffectedRow> {
  const { result } = await session.check(s, v, file, run);
  const steps = result.violations.map((x) => x.steps);
  return {
    file,
    scenario: s.name,
    preset: v.label,
    verdict: result.verdict,
    violated: [...new Set(result.violations.map((x) => x.property))],
    shortest: steps.length > 0 ? Math.min(...steps) : null,
    states: result.stats.states,
    ...(result.incomplete ? { incomplete: result.incomplete } : {}),
    ...notRunOn(s, v),
  };
}

function notRunOn(s: Scenario, v: Variant): { notRun?: string[] } {
  const names = s.threads.filter((t) => t.when && !t.when.includes(v.preset)).map((t) => t.name);
  return names.length > 0 ? { notRun: names } : {};
}

/** The preset pair to bisect from a table in release order: the newest preset with the violation and the preset
 *  after it (the oldest later one without it); a reason when there is no such pair. */
export function bisectRange(rows: readonly AffectedRow[]): { from: string; to: string } | { none: string } {
  if (rows.some((r) => r.incomplete)) return { none: 'a run was incomplete: raise the limits to bisect' };
  let last = -1;
  rows.forEach((r, i) => {
    if (isBad(r)) last = i;
  });
  if (last < 0) return { none: 'no preset has a violation' };
  if (last === rows.length - 1) return { none: `${rows[last]!.preset} still has it: no later preset to bisect against` };
  return { from: rows[last]!.preset, to: rows[last + 1]!.preset };
}

export interface BisectRun {
  variant: string;
  verdict: SearchResult['verdict'];
}

export interface BisectResult {
  from: string;
  to: string;
  /** The toggles `to` adds to `from`, in release order (designs last). */
  added: string[];
  /** The toggle that fixes it alone, or the smallest combination found (each one needed). */
  fixedBy: string[];
  single: boolean;
  runs: BisectRun[];
}

/** Release order; toggles in no release (designs) last, then table order. */
function byRelease(a: ToggleInfo, b: ToggleInfo): number {
  if (a.release && b.release) return compareReleases(a.release, b.release) || TOGGLES.indexOf(a) - TOGGLES.indexOf(b);
  if (a.release || b.release) return a.release ? -1 : 1;
  return TOGGLES.indexOf(a) - TOGGLES.indexOf(b);
}

/** The toggles `to` adds to `from`, in release order; throws (a usage error) unless `to` only adds toggles. */
export function addedToggles(from: Variant, to: Variant): string[] {
  const removed = TOGGLES.filter((t) => from.toggles & t.bit && !(to.toggles & t.bit)).map((t) => t.name);
  if (removed.length > 0) throw new BisectError(`${to.label} lacks ${removed.join(', ')} that ${from.label} has: bisect adds toggles only`, true);
  const added = TOGGLES.filter((t) => to.toggles & t.bit && !(from.toggles & t.bit))
    .sort(byRelease)
    .map((t) => t.name);
  if (added.length === 0) throw new BisectError(`${to.label} adds no toggle to ${from.label}`, true);
  return added;
}

/** `from` with the toggles `add` switched on (undoing its own ~T where it has one), as a canonical variant. */
export function withToggles(from: Variant, add: readonly string[]): Variant {
  const without = from.without.filter((t) => !add.includes(t));
  const extra = add.filter((t) => !from.without.includes(t) && !from.with.includes(t));
  return makeVariant(from.preset, without, [...from.with, ...extra]);
}

/** Bisect between a variant that has the violation and a later one that has not. The toggles `to` adds are
 *  ordered by release and the shortest prefix that fixes it is found by binary search (the prefix's last toggle
 *  is the candidate); the candidate alone is then confirmed on `from`. If it does not fix it alone, the prefix is
 *  reduced to a combination where every toggle is needed. Throws when `to` removes toggles, or the ends do not
 *  have the verdicts a bisection needs (the message says which). */
export async function bisect(
  session: Session,
  s: Scenario,
  file: string,
  from: Variant,
  to: Variant,
  run: RunOptions,
  interrupted: () => boolean = () => false,
): Promise<BisectResult> {
  const added = addedToggles(from, to);
  const runs: BisectRun[] = [];
  const cache = new Map<string, boolean>();
  const bad = async (set: readonly string[]): Promise<boolean> => {
    const v = withToggles(from, set);
    const known = cache.get(v.label);
    if (known !== undefined) return known;
    if (interrupted()) throw new BisectError('interrupted');
    const r = await runOn(session, s, file, v, run);
    if (r.incomplete) throw new BisectError(`${v.label}: incomplete (${r.incomplete}): raise the limits to bisect`);
    runs.push({ variant: v.label, verdict: r.verdict });
    cache.set(v.label, isBad(r));
    return isBad(r);
  };
  if (!(await bad([]))) throw new BisectError(`${from.label} has no violation or deadlock: nothing to bisect`);
  if (await bad(added)) throw new BisectError(`${to.label} still has it: nothing to bisect`);
  // Invariant: the prefix of length lo has the violation, the prefix of length hi has not.
  let lo = 0;
  let hi = added.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await bad(added.slice(0, mid))) lo = mid;
    else hi = mid;
  }
  const candidate = added[hi - 1]!;
  if (!(await bad([candidate]))) return { from: from.label, to: to.label, added, fixedBy: [candidate], single: true, runs };
  // Not alone: drop every toggle of the prefix that is not needed (the candidate is, by the search).
  let set = added.slice(0, hi);
  for (const t of added.slice(0, hi - 1)) {
    const without = set.filter((x) => x !== t);
    if (!(await bad(without))) set = without;
  }
  return { from: from.label, to: to.label, added, fixedBy: set, single: set.length === 1, runs };
}

/** A bisection that cannot be made: ends that are not ordered (`usage`: --to must add toggles to --from), or ends
 *  without the verdicts a bisection needs (a finding, reported as such). */
export class BisectError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
    this.name = 'BisectError';
  }
}

/** "fixed by epi-fget (4efaa5acf0a1 "epoll: be better about file lifetimes", v6.9)", or the combination. */
export function fixedByLine(b: BisectResult): string {
  const describe = (name: string) => {
    const t = TOGGLES.find((x) => x.name === name)!;
    return t.commit ? `${name} (${t.commit} "${t.title}", ${t.release})` : `${name} (${t.title ?? t.kind})`;
  };
  if (b.single) return `fixed by ${describe(b.fixedBy[0]!)}`;
  return `no single toggle fixes it; the combination ${b.fixedBy.join(' + ')} does: ${b.fixedBy.map(describe).join('; ')}`;
}
