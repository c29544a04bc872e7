// The two runs that show what a fix does: its history scenario on a variant without the toggle and on one with it.
// Taken from the scenario's own `variants` line: a listed PRESET~T and its PRESET when both are there (the form
// the history scenarios use), else the first listed variant without T and the first with it.

import type { Scenario } from '../scenario/types.ts';
import { parseVariant, type ToggleInfo } from '../variants.ts';

export interface FixPair {
  without: string;
  with: string;
}

/** The pair of variant labels, or null when the scenario's variants do not show the toggle both ways. */
export function fixPair(s: Scenario, t: ToggleInfo): FixPair | null {
  const vs = s.variants.map((label) => parseVariant(label));
  for (const v of vs) {
    if (!v.without.includes(t.name)) continue;
    const base = vs.find((w) => w.preset === v.preset && w.with.length === v.with.length && w.without.length === v.without.length - 1 && w.toggles & t.bit);
    if (base) return { without: v.label, with: base.label };
    return { without: v.label, with: parseVariant(v.label.replace(`~${t.name}`, '')).label };
  }
  const off = vs.find((v) => !(v.toggles & t.bit));
  const on = vs.find((v) => v.toggles & t.bit);
  return off && on ? { without: off.label, with: on.label } : null;
}
