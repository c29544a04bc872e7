// The toggle contract (checker/history/toggle-info.ts) and the presets derived from it (checker/variants.ts):
// every preset that existed before the release presets keeps its mask for the toggles it knew, so every verdict
// stays; the release presets are exact for today's toggles and cumulative for any.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Toggle } from '../model/codes.ts';
import { variantsJson, variantsText } from '../checker/cli/variants.ts';
import { fixPair } from '../checker/history/pairs.ts';
import { releaseKey, toggleTableErrors, type ToggleInfo } from '../checker/history/toggle-info.ts';
import { parseScenario } from '../checker/scenario/parse.ts';
import {
  AFFECTED_PRESETS,
  CURRENT_RELEASE,
  RELEASE_PRESETS,
  TOGGLES,
  VARIANTS,
  changeLine,
  checkVariantSpec,
  compareReleases,
  makeVariant,
  releaseMask,
} from '../checker/variants.ts';

const T = Toggle;
/** The toggles the model had before the kernel-history work: the masks below are over these bits. */
const KNOWN =
  T.EpRefcount |
  T.RfcV4Replace |
  T.EpiFget |
  T.UnlockBeforePut |
  T.CtlDelNoNestedMtx |
  T.CheckListRef |
  T.RfcV7 |
  T.RfcV6LockOrder |
  T.RfcWalkV2 |
  T.FrozenTarget |
  T.FileTypesafeRcu |
  T.FgetRecheck |
  T.EpRemovePin |
  T.UpwardsDepth;
const FIXED_BEFORE_6_2 = T.CtlDelNoNestedMtx | T.CheckListRef | T.FgetRecheck;
const CURRENT = FIXED_BEFORE_6_2 | T.EpRefcount | T.EpiFget | T.UnlockBeforePut | T.FileTypesafeRcu | T.EpRemovePin | T.UpwardsDepth;
const PRE_6_16 = CURRENT & ~(T.UnlockBeforePut | T.UpwardsDepth | T.EpRemovePin);
const RFC_V7 = (PRE_6_16 & ~T.FileTypesafeRcu) | T.RfcV7;

const mask = (name: string) => VARIANTS.find((v) => v.name === name)!.toggles;

describe('presets', () => {
  it('every preset that existed before keeps its mask over the toggles it knew', () => {
    const before: Record<string, number> = {
      'v6.2': FIXED_BEFORE_6_2,
      current: CURRENT,
      'current-pre-6.16': PRE_6_16,
      'rfc-v4': FIXED_BEFORE_6_2 | T.RfcV4Replace,
      'rfc-v4-v2': FIXED_BEFORE_6_2 | T.RfcV4Replace | T.RfcWalkV2,
      'rfc-v7': RFC_V7,
      'rfc-v6': RFC_V7 | T.RfcV6LockOrder,
      userspace: CURRENT,
      'userspace-frozen': CURRENT | T.FrozenTarget,
    };
    for (const [name, m] of Object.entries(before)) expect([name, mask(name) & KNOWN]).toEqual([name, m]);
  });

  it('the release presets, exactly, over the toggles the model had', () => {
    const got = Object.fromEntries(AFFECTED_PRESETS.map((p) => [p, mask(p) & KNOWN]));
    const v6_1 = FIXED_BEFORE_6_2;
    const v6_12 = v6_1 | T.EpRefcount | T.EpiFget | T.FileTypesafeRcu;
    expect(got).toEqual({
      'v4.19': T.CtlDelNoNestedMtx,
      'v5.4': T.CtlDelNoNestedMtx,
      'v5.10': T.CtlDelNoNestedMtx | T.CheckListRef,
      'v5.15': T.CtlDelNoNestedMtx | T.CheckListRef,
      'v6.1': v6_1,
      'v6.6': v6_1 | T.EpRefcount,
      'v6.12': v6_12,
      'v6.18': v6_12 | T.UnlockBeforePut | T.UpwardsDepth,
      current: CURRENT,
    });
    expect(CURRENT_RELEASE).toBe('v7.1');
  });

  it('a release preset is every fix and change released by then, and the presets are cumulative', () => {
    for (const p of AFFECTED_PRESETS) {
      const rel = p === 'current' ? CURRENT_RELEASE : p;
      for (const t of TOGGLES) {
        const want = t.kind !== 'design' && compareReleases(t.release!, rel) <= 0;
        expect([p, t.name, (mask(p) & t.bit) !== 0]).toEqual([p, t.name, want]);
      }
    }
    for (let i = 1; i < AFFECTED_PRESETS.length; i++) {
      const [a, b] = [mask(AFFECTED_PRESETS[i - 1]!), mask(AFFECTED_PRESETS[i]!)];
      expect(a & ~b).toBe(0);
    }
    // The older named generations are release masks too, for any toggles.
    expect(mask('v6.2')).toBe(releaseMask('v6.2'));
    // current-pre-6.16 is the v6.4..v6.15 eventpoll on the v6.12 file code (before file_ref_t, v6.13).
    expect(mask('current-pre-6.16')).toBe(releaseMask('v6.12'));
    expect(mask('rfc-v7')).toBe(releaseMask('v6.4') | T.EpiFget | T.RfcV7);
    // No preset carries a design except the design presets.
    const designs = TOGGLES.filter((t) => t.kind === 'design').reduce((m, t) => m | t.bit, 0);
    for (const p of AFFECTED_PRESETS) expect(mask(p) & designs).toBe(0);
  });

  it('release presets and the new names are accepted wherever a variant is', () => {
    for (const p of [...RELEASE_PRESETS, 'current', 'v6.2']) expect(checkVariantSpec(p)).toBeNull();
    expect(checkVariantSpec('v6.12~epi-fget+ep-remove-pin')).toBeNull();
    expect(checkVariantSpec('v6.13')).toContain("unknown variant 'v6.13'");
    const text = `scenario w\nfile X socket\nprocess P\n  fd 3 = X\nthread T in P when v5.10 current\n  close(3)\nvariants v5.10 v6.6\nresult v5.10 pass\nresult v6.6 pass\n`;
    expect(parseScenario(text, 'w.fdr', { variants: checkVariantSpec }).threads[0]!.when).toEqual(['v5.10', 'current']);
    expect(makeVariant('v6.6', [], ['epi-fget']).toggles).toBe(mask('v6.6') | T.EpiFget);
  });
});

describe('the toggle contract', () => {
  it('every toggle follows it', () => {
    expect(toggleTableErrors(TOGGLES)).toEqual([]);
  });

  it('names what is wrong with a bad entry', () => {
    const good: ToggleInfo = {
      name: 'x-fix',
      bit: 1 << 20,
      kind: 'fix',
      commit: '0123456789ab',
      title: 't',
      release: 'v6.1',
      scenario: 'scenarios/history/x.fdr',
      doc: 'd',
    };
    expect(toggleTableErrors([good])).toEqual([]);
    expect(toggleTableErrors([{ ...good, scenario: undefined }])).toEqual(["toggle 'x-fix': a fix needs its history scenario"]);
    expect(toggleTableErrors([{ ...good, commit: '0123' }])).toEqual(["toggle 'x-fix': commit must be 12 hex digits"]);
    expect(toggleTableErrors([{ ...good, release: 'v2.6.38' }])).toEqual([]);
    expect(compareReleases('v2.6.38', 'v3.3')).toBeLessThan(0);
    expect(toggleTableErrors([{ ...good, release: '6.1' }])).toEqual(["toggle 'x-fix': release must be vX.Y (or v2.6.Z)"]);
    expect(toggleTableErrors([{ ...good, bit: 2 ** 31 }])).toEqual([`toggle 'x-fix': bit ${2 ** 31} is not one of 1<<0 .. 1<<30`]);
    expect(toggleTableErrors([good, { ...good, name: 'y-fix' }])).toEqual([`toggle 'y-fix': bit ${1 << 20} is used twice`]);
    expect(toggleTableErrors([{ ...good, fixes: 'nope' }])).toEqual(["toggle 'x-fix': fixes unknown toggle 'nope'"]);
    expect(toggleTableErrors([{ ...good, kind: 'design' }])).toEqual(["toggle 'x-fix': a design is in no release (no commit, no release)"]);
    expect(toggleTableErrors([{ ...good, cve: 'CVE-24-1' }])).toEqual(["toggle 'x-fix': cve 'CVE-24-1' is not CVE-YYYY-N"]);
  });

  it('release order is numeric order of (major, minor)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 40 })), { maxLength: 30 }), (vs) => {
        const names = vs.map(([a, b]) => `v${a}.${b}`);
        const sorted = [...names].sort(compareReleases).map(releaseKey);
        for (let i = 1; i < sorted.length; i++) {
          const [p, q] = [sorted[i - 1]!, sorted[i]!];
          expect(p[0] < q[0] || (p[0] === q[0] && p[1] <= q[1])).toBe(true);
        }
      }),
    );
    expect(compareReleases('v5.4', 'v5.10')).toBeLessThan(0);
    expect(compareReleases('v6.18', 'v7.0')).toBeLessThan(0);
    expect(() => releaseKey('6.1')).toThrow('not of the form vX.Y');
  });

  it('the one-line change text is derived from the fields', () => {
    const t = (n: string) => TOGGLES.find((x) => x.name === n)!;
    expect(changeLine(t('epi-fget'))).toBe('4efaa5acf0a1 "epoll: be better about file lifetimes" (v6.9, CVE-2024-38580)');
    expect(changeLine(t('upwards-depth'))).toBe('f2e467a48287 "eventpoll: Fix semi-unbounded recursion" (v6.17, stable 6.16)');
    expect(changeLine(t('rfc-v6-lock-order'))).toBe("RFC v6 (2023-05-23): mutex_lock(&ep->mtx) under the old file's f_lock (flagged by Matthew Wilcox)");
  });

  it("a fix's pair of runs comes from its scenario's variants line", () => {
    const t = (n: string) => TOGGLES.find((x) => x.name === n)!;
    const s = (variants: string) =>
      parseScenario(
        `scenario p\nfile X socket\nprocess P\n  fd 3 = X\nthread T in P\n  close(3)\nvariants ${variants}\n${variants
          .split(' ')
          .map((v) => `result ${v} pass\n`)
          .join('')}`,
        'p.fdr',
        { variants: checkVariantSpec },
      );
    expect(fixPair(s('v6.2 v6.2~ctl-del-nested-fix'), t('ctl-del-nested-fix'))).toEqual({ without: 'v6.2~ctl-del-nested-fix', with: 'v6.2' });
    expect(fixPair(s('current~epi-fget'), t('epi-fget'))).toEqual({ without: 'current~epi-fget', with: 'current' });
    expect(fixPair(s('v6.6 v6.12'), t('epi-fget'))).toEqual({ without: 'v6.6', with: 'v6.12' });
    expect(fixPair(s('v6.12 current'), t('epi-fget'))).toBeNull();
  });
});

describe('fdrace variants', () => {
  it('--json: one object per preset and per toggle', () => {
    const all = variantsJson();
    expect(all).toHaveLength(VARIANTS.length + TOGGLES.length);
    expect(all.find((o) => (o as { name: string }).name === 'v5.10')).toEqual({
      name: 'v5.10',
      kind: 'preset',
      release: 'v5.10',
      base: null,
      description: 'mainline as of v5.10.0: every fix and change released by then (no stable backports).',
      toggles: TOGGLES.filter((t) => mask('v5.10') & t.bit).map((t) => t.name),
    });
    expect(all.find((o) => (o as { name: string }).name === 'rfc-v7')).toMatchObject({ kind: 'preset', release: null, base: 'v6.4' });
    expect(all.find((o) => (o as { name: string }).name === 'epi-fget')).toEqual({
      name: 'epi-fget',
      kind: 'toggle',
      toggleKind: 'fix',
      bit: 4,
      commit: '4efaa5acf0a1',
      title: 'epoll: be better about file lifetimes',
      release: 'v6.9',
      cve: 'CVE-2024-38580',
      fixes: null,
      stable: [],
      scenario: 'scenarios/history/cve-2024-38580-epi-fget-4efaa5acf0a1.fdr',
      description: 'ep_item_poll takes a reference with epi_fget (increment-if-not-zero) and skips files whose count is zero.',
    });
  });

  it('text: the release presets with their toggles, and what current is', () => {
    const text = variantsText();
    expect(text).toContain('current = mainline as of v7.1');
    expect(text).toMatch(
      /\n {2}v5\.10 +mainline as of v5\.10\.0[^\n]*\n +toggles: ctl-del-nested-fix, check-list-ref, loop-check, limit-paths, eloop-clear-check-list, full-check-narrow, fast-path-gen, check-list-rcu, fget-dup2-retry, fd-install-lockless, fput-task-work\n/,
    );
    for (const p of RELEASE_PRESETS) expect(text).toContain(`\n  ${p} `);
  });
});
