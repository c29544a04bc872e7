// The state header's fields (model/fields.ts G_*) must not share bytes: G_RETURNED (a watched op's return mark)
// once sat on G_VIOL_KIND's byte, so a step that both returned a watched op and hit a use-after-free wrote one over
// the other.
import { describe, expect, it } from 'vitest';
import * as F from '../model/fields.ts';

/** Fields wider than one byte. */
const WIDTH: Record<string, number> = { G_TFILE_LIST: 2 };

describe('state header layout', () => {
  it('every G_* field has bytes of its own, inside G_SIZE', () => {
    const owner = new Map<number, string>();
    const fields = Object.entries(F).filter(([k, v]) => k.startsWith('G_') && k !== 'G_SIZE' && typeof v === 'number');
    expect(fields.map(([k]) => k)).toContain('G_RETURNED');
    for (const [name, off] of fields as [string, number][]) {
      for (let b = off; b < off + (WIDTH[name] ?? 1); b++) {
        expect([name, b, owner.get(b)]).toEqual([name, b, undefined]);
        expect(b).toBeLessThan(F.G_SIZE);
        owner.set(b, name);
      }
    }
  });
});
