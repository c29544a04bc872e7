// fdrace affected and fdrace history, run as a user runs them (the real command on the bundled scenarios), and the
// bisection on the history scenarios through the library: the toggle it names is the one the scenario is about.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bisect, bisectRange, fixedByLine, withToggles, type AffectedRow } from '../checker/history/affected.ts';
import { historyFixes } from '../checker/cli/history.ts';
import { historyMarkdown } from '../checker/report/history-md.ts';
import { readScenario } from '../checker/load.ts';
import { nodeSession } from '../checker/session-node.ts';
import { withSearchDefaults } from '../checker/session.ts';
import { resolveVariant } from '../checker/variants.ts';

function fdrace(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const H = 'scenarios/history/';
const ABBA = `${H}ctl-del-abba-4ff36ee94d93.fdr`;
const CVE2024 = `${H}cve-2024-38580-epi-fget-4efaa5acf0a1.fdr`;
const UAF = `${H}ep-remove-uaf-a6dc643c6931.fdr`;
const run = { search: withSearchDefaults() };

describe('fdrace affected', () => {
  it('F01: a row per release preset, aligned, exit 0 (a report, violations included)', () => {
    const r = fdrace('affected', 'scenarios/F01-replace-5-of-10.fdr');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('F01-replace-5-of-10 (scenarios/F01-replace-5-of-10.fdr)');
    expect(lines[1]).toBe('  preset   verdict    steps  states  violated');
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['v4.19', 'v5.4', 'v5.10', 'v5.15', 'v6.1', 'v6.6', 'v6.12', 'v6.18', 'current']);
    // SECCOMP_IOCTL_NOTIF_ADDFD is v5.9: the scenario's supervisor SV runs from v5.10 on (its `when` list), so
    // on v4.19 and v5.4 the trapped target waits for nobody, and the row says which threads are absent.
    expect(lines[2]).toBe('  v4.19    deadlock       2       3  deadlock (without SV, U: not in their `when`)');
    expect(lines[4]).toBe('  v5.10    violation     23      26  registration-follows-fd, stale-registration');
    expect(lines[10]).toBe('  current  violation     23      26  registration-follows-fd, stale-registration');
  });

  it('--json: one object per preset', () => {
    const r = fdrace('affected', CVE2024, '--json');
    expect(r.code).toBe(0);
    const rows = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.preset, x.verdict])).toEqual([
      ['v4.19', 'violation'],
      ['v5.4', 'violation'],
      ['v5.10', 'violation'],
      ['v5.15', 'violation'],
      ['v6.1', 'violation'],
      ['v6.6', 'violation'],
      ['v6.12', 'pass'],
      ['v6.18', 'pass'],
      ['current', 'pass'],
    ]);
    expect(rows[5]).toEqual({
      file: CVE2024,
      scenario: 'history-cve-2024-38580',
      preset: 'v6.6',
      verdict: 'violation',
      violated: ['refcount'],
      shortest: 10,
      states: 178,
    });
    expect(rows[6]).toEqual({ file: CVE2024, scenario: 'history-cve-2024-38580', preset: 'v6.12', verdict: 'pass', violated: [], shortest: null, states: 223 });
  });

  it('--bisect: CVE-2024-38580 is violated up to v6.6 and fixed in v6.12 by epi-fget alone', () => {
    const r = fdrace('affected', CVE2024, '--bisect');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  bisect v6.6 -> v6.12: 2 toggles added (file-typesafe-rcu, epi-fget), 4 runs\n');
    expect(r.out).toContain('    v6.6+file-typesafe-rcu: violation\n    v6.6+epi-fget: pass\n');
    expect(r.out).toContain('  fixed by epi-fget (4efaa5acf0a1 "epoll: be better about file lifetimes", v6.9)\n');
  });

  it('--bisect --from/--to: a preset built without the fix and with it names ctl-del-nested-fix', () => {
    const r = fdrace('affected', ABBA, '--bisect', '--from', 'v4.19~ctl-del-nested-fix', '--to', 'v4.19', '--json');
    expect(r.code).toBe(0);
    const b = JSON.parse(r.out.trim());
    expect(b.bisect).toEqual({
      from: 'v4.19~ctl-del-nested-fix',
      to: 'v4.19',
      added: ['ctl-del-nested-fix'],
      fixedBy: ['ctl-del-nested-fix'],
      single: true,
      runs: [
        { variant: 'v4.19~ctl-del-nested-fix', verdict: 'deadlock' },
        { variant: 'v4.19', verdict: 'pass' },
      ],
    });
  });

  it('usage errors exit 2 before any search, with the reason', () => {
    expect(fdrace('affected').code).toBe(2);
    const noTo = fdrace('affected', ABBA, '--bisect', '--from', 'v6.2');
    expect([noTo.code, noTo.err.trim()]).toEqual([2, 'fdrace: --from and --to go together']);
    const noBisect = fdrace('affected', ABBA, '--from', 'v6.2', '--to', 'current');
    expect(noBisect.code).toBe(2);
    expect(noBisect.err).toContain('add --bisect');
    const back = fdrace('affected', ABBA, '--bisect', '--from', 'current', '--to', 'v6.6');
    expect(back.code).toBe(2);
    expect(back.out).toBe('');
    expect(back.err).toContain(
      'v6.6 lacks unlock-before-put, upwards-depth, epi-fget, file-typesafe-rcu, ep-remove-pin, loop-depth-overflow, file-ref, fput-close that current has',
    );
    const unknown = fdrace('affected', ABBA, '--bisect', '--from', 'v6.3', '--to', 'current');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown variant 'v6.3'");
    expect(fdrace('affected', 'scenarios/nope.fdr').code).toBe(2);
  });

  it('a limit that stops a run makes the report incomplete: exit 12, and no bisection', () => {
    const r = fdrace('affected', CVE2024, '--bisect', '--max-states', '5');
    expect(r.code).toBe(12);
    expect(r.out).toContain('incomplete (');
    expect(r.out).toContain('  bisect: a run was incomplete: raise the limits to bisect');
  });
});

describe('bisect (library)', () => {
  const session = nodeSession();

  it('ep_remove UAF: v6.18 has it, current has not: ep-remove-pin', async () => {
    const s = readScenario(UAF);
    const b = await bisect(session, s, UAF, resolveVariant('v6.18'), resolveVariant('current'), run);
    expect(fixedByLine(b)).toBe('fixed by ep-remove-pin (a6dc643c6931 "eventpoll: fix ep_remove struct eventpoll / struct file UAF", v7.1)');
  });

  it('from v6.6 no single toggle fixes it: unlock-before-put and ep-remove-pin both are needed', async () => {
    const s = readScenario(UAF);
    const b = await bisect(session, s, UAF, resolveVariant('v6.6'), resolveVariant('current'), run);
    expect(b.added).toEqual([
      'file-typesafe-rcu',
      'epi-fget',
      'file-ref',
      'fput-close',
      'unlock-before-put',
      'upwards-depth',
      'loop-depth-overflow',
      'ep-remove-pin',
    ]);
    expect(b).toMatchObject({ fixedBy: ['unlock-before-put', 'ep-remove-pin'], single: false });
    expect(fixedByLine(b)).toMatch(/^no single toggle fixes it; the combination unlock-before-put \+ ep-remove-pin does: /);
  });

  it('ends without the verdicts a bisection needs are findings, not crashes', async () => {
    const s = readScenario(CVE2024);
    await expect(bisect(session, s, CVE2024, resolveVariant('v6.12'), resolveVariant('current'), run)).rejects.toThrow('v6.12 has no violation or deadlock');
    await expect(bisect(session, s, CVE2024, resolveVariant('v6.1'), resolveVariant('v6.6'), run)).rejects.toThrow('v6.6 still has it');
  });

  it("withToggles undoes the variant's own ~T instead of switching T both ways", () => {
    expect(withToggles(resolveVariant('v6.2~ctl-del-nested-fix~epi-fget'), ['ctl-del-nested-fix']).label).toBe('v6.2~epi-fget');
    expect(withToggles(resolveVariant('v6.6+rfc-v7'), ['epi-fget']).label).toBe('v6.6+rfc-v7+epi-fget');
  });

  it('bisectRange: the newest preset with the violation and the next one', () => {
    const row = (preset: string, verdict: AffectedRow['verdict']): AffectedRow => ({
      file: 'f',
      scenario: 's',
      preset,
      verdict,
      violated: [],
      shortest: null,
      states: 1,
    });
    expect(bisectRange([row('a', 'violation'), row('b', 'pass'), row('c', 'deadlock'), row('d', 'pass')])).toEqual({ from: 'c', to: 'd' });
    expect(bisectRange([row('a', 'pass'), row('b', 'pass')])).toEqual({ none: 'no preset has a violation' });
    expect(bisectRange([row('a', 'pass'), row('b', 'violation')])).toEqual({ none: 'b still has it: no later preset to bisect against' });
  });
});

describe('fdrace history', () => {
  // One generation for the in-process tests (each fix scenario without, with, and on every release preset).
  let generated: ReturnType<typeof historyFixes> | undefined;
  const fresh = () => (generated ??= historyFixes());

  it('every fix is violated without it and passes with it, on its own scenario', async () => {
    const fixes = (await fresh()).filter((f) => f.toggle.kind === 'fix');
    expect(fixes.length).toBeGreaterThanOrEqual(7);
    for (const f of fixes) {
      expect([f.toggle.name, f.note]).toEqual([f.toggle.name, undefined]);
      expect([f.toggle.name, ['violation', 'deadlock'].includes(f.without!.verdict), f.with!.verdict]).toEqual([f.toggle.name, true, 'pass']);
    }
  }, 300_000);

  it('the committed docs/history.md is what a fresh run writes', async () => {
    expect(historyMarkdown(await fresh(), 'fdrace history --write')).toBe(readFileSync('docs/history.md', 'utf8'));
  }, 300_000);

  it('--check names the first edited line, exit 10', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'fdrace-history-'));
    const edited = readFileSync('docs/history.md', 'utf8').split('\n');
    const n = edited.findIndex((l) => l.startsWith('| `epi-fget`'));
    edited[n] = edited[n]!.replace('pass on `current`', 'violation on `current`');
    const out = join(tmp, 'history.md');
    writeFileSync(out, edited.join('\n'));
    const bad = fdrace('history', '--check', '--out', out);
    expect(bad.code).toBe(10);
    expect(bad.err).toContain(`history.md:${n + 1}: differs from a fresh run`);
  }, 300_000);

  it('the rows carry the computed verdicts without and with each fix', () => {
    const md = readFileSync('docs/history.md', 'utf8');
    expect(md).toContain('<!-- Generated by `fdrace history --write` (npm run history).');
    const row = md.split('\n').find((l) => l.startsWith('| `ctl-del-nested-fix`'))!;
    expect(row).toContain('[4ff36ee94d93](https://git.kernel.org/torvalds/c/4ff36ee94d93)');
    expect(row).toContain('| **deadlock** (deadlock, lock-order) on `v6.2~ctl-del-nested-fix` | pass on `v6.2` | none | `v4.19` … `current`,');
    // Which release presets have the race: without the fix, and (the same race, another bug) with it.
    const ubp = md.split('\n').find((l) => l.startsWith('| `unlock-before-put`'))!;
    expect(ubp).toContain('| `v6.6` `v6.12`; also `v6.18` (with it: free-while-locked) | `v6.18` … `current`, `userspace`, `userspace-frozen` |');
    expect(md).toContain('[CVE-2024-38580](https://www.cve.org/CVERecord?id=CVE-2024-38580)');
    // v5.10: the eleven fixes and changes up to v5.9 (loop-check .. check-list-rcu), not f-ep-hlist (v5.11).
    expect(md).toMatch(/\n\| `v5\.10` (\| ✓ ){11}\| {2}\|/);
  });
});
