// A trace names its variant by label: a variant spec (preset, "~toggle" for each toggle switched off) followed by
// "+toggle" for each switched on ("rfc-v4", "current~epi-fget", "v6.2+rfc-v4-replace"), as resolveVariant writes
// it. To replay a trace the label is split back into what resolveVariant takes.

import { parseVariant } from '../../checker/variants.ts';

export function resolveLabel(label: string): { toggles: number; label: string } {
  return parseVariant(label);
}
