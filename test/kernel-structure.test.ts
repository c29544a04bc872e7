// The step programs keep the structure docs/model.md §0.5 describes: program counters and registers by name, and
// the v6.16 ordering of the ep reference drop decided in one module.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelSources } from '../scripts/step-labels.ts';

const ROUTINES = modelSources().filter((p) => p.includes('/model/routines/'));

/** Lines of the routines matching re, as "file:line: text". */
function lines(re: RegExp): string[] {
  return ROUTINES.flatMap((p) =>
    readFileSync(p, 'utf8')
      .split('\n')
      .flatMap((l, i) => (re.test(l) && !/^\s*\/\//.test(l) ? [`${basename(p)}:${i + 1}: ${l.trim()}`] : [])),
  );
}

describe('step programs', () => {
  it('name their program counters: no case N:, setPc(N) or pc() == N', () => {
    expect(lines(/\bcase \d+:|\bsetPc\([^;]*\b\d+\b|\bpc\(\) *[!=<>]=* *\d/)).toEqual([]);
  });

  it('name their registers: no r(N) or setR(N, ...)', () => {
    expect(lines(/(?<![\w.])r\(\d+\)|\bsetR\(\d+/)).toEqual([]);
  });

  it('decide where the ep reference is dropped (v6.16) in model/routines/ep_ref.ts only', () => {
    expect(lines(/Toggle\.UnlockBeforePut/).map((l) => l.split(':')[0])).toEqual(['ep_ref.ts']);
  });

  it('the checks see the routines and would catch a bare number', () => {
    expect(ROUTINES.length).toBeGreaterThan(10);
    expect(/\bsetPc\([^;]*\b\d+\b/.test('setPc(advance() ? 2 : V7Pc.Done);')).toBe(true);
    expect(/(?<![\w.])r\(\d+\)|\bsetR\(\d+/.test('const ep = r(1);')).toBe(true);
  });
});
