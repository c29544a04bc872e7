// Kinds of built-in properties (PROPERTY.KIND) in `result` and `check` lines: parsed, validated, reported and
// compared. The CVE-2024-38580 scenario's only violation on current~epi-fget is f_op->poll on a dead file.
import { describe, expect, it } from 'vitest';
import { compare } from '../checker/expected.ts';
import { parseScenario } from '../checker/scenario/parse.ts';
import type { ScenarioError } from '../checker/scenario/types.ts';
import { PROPERTY_KINDS, VIOL_KIND, splitKind, violKind } from '../checker/scenario/kinds.ts';
import { VIOL_PROPERTY } from '../checker/search/result.ts';
import { checkVariantSpec } from '../checker/variants.ts';
import { check } from './util/run.ts';

const body = (results: string) => `scenario k
file X socket
epoll E
process P
  fd 3 = X
  fd 4 = E
watch E (X, 3) IN
thread T1 in P
  epoll_wait(4)
thread T2 in P
  close(3)
variants current~epi-fget
${results}
`;

const parse = (text: string) => parseScenario(text, 'k.fdr', { variants: checkVariantSpec });
const error = (text: string): string => {
  try {
    parse(text);
  } catch (e) {
    return (e as ScenarioError).format();
  }
  return 'no error';
};

describe('kinds', () => {
  it('every kernel violation code has a kind listed under its property', () => {
    for (const info of Object.values(VIOL_PROPERTY)) {
      expect(PROPERTY_KINDS[info.property], info.name).toContain(violKind(info.name));
    }
    expect(Object.keys(VIOL_KIND).sort()).toEqual(
      Object.values(VIOL_PROPERTY)
        .map((i) => i.name)
        .sort(),
    );
    expect(violKind('UafSomethingNew')).toBe('uaf-something-new');
  });

  it('splits PROPERTY.KIND', () => {
    expect(splitKind('no-uaf.epitem')).toEqual({ property: 'no-uaf', kind: 'epitem' });
    expect(splitKind('refcount')).toEqual({ property: 'refcount' });
    expect(splitKind('follows')).toEqual({ property: 'follows' });
  });

  it('a violation carries PROPERTY.KIND and a result line may name it', async () => {
    const r = await check(body('result current~epi-fget violation(refcount.poll-dead-file)'), 'current~epi-fget');
    expect(r.violations.map((v) => v.qualified)).toEqual(['refcount.poll-dead-file']);
    expect(compare(parse(body('result current~epi-fget violation(refcount.poll-dead-file)')), r).matches).toBe(true);
    expect(compare(parse(body('result current~epi-fget violation(refcount)')), r).matches).toBe(true);
    const wrong = compare(parse(body('result current~epi-fget violation(refcount.leak)')), r);
    expect(wrong.matches).toBe(false);
    expect(wrong.actual).toBe('violation(refcount.poll-dead-file)');
    expect(compare(parse(body('result current~epi-fget violation(no-uaf.file)')), r).matches).toBe(false);
  });

  it('rejects an unknown kind at its location', () => {
    expect(error(body('result current~epi-fget violation(refcount.epitem)'))).toBe(
      "k.fdr:13:35: error: unknown kind 'epitem' of property 'refcount' (its kinds: underflow, mismatch, close-zero, leak, poll-dead-file, ep, ep-holders, orphan-insert)",
    );
    expect(error(body('check no-uaf.sock\nresult current~epi-fget pass'))).toMatch(/13:7: error: unknown kind 'sock' of property 'no-uaf'/);
    expect(error(body('check no-cross-process.rekey\ncheck no-cross-process\nresult current~epi-fget pass'))).toMatch(
      /14:7: error: a kind of property 'no-cross-process' is already checked at line 13/,
    );
  });

  it('check PROPERTY.KIND switches on that part only', () => {
    const s = parse(body('check no-cross-process.rekey\nresult current~epi-fget pass'));
    expect(s.checks).toEqual([{ name: 'no-cross-process', kind: 'rekey', loc: { line: 13, col: 1 } }]);
  });
});
