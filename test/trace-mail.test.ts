// Counterexamples as a kernel developer mails them: the explanation names the violation's own objects, labels
// name the RFC revision the variant models, source links are pinned to a release (never master), the changelog
// diagram keeps only the steps touching the violation, CLI traces carry lockdep's rows, watch expressions and
// "explore from here" agree with the checker.

import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { Toggle } from '../model/codes.ts';
import { Step } from '../model/steps.ts';
import { compileScenario } from '../checker/compile/config.ts';
import type { FdraceExports } from '../checker/kernel/exports.ts';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { readScenario } from '../checker/load.ts';
import { VIOL_PROPERTY, parsePath } from '../checker/search/result.ts';
import { formatChangelog, involvedNames, kernelCall } from '../checker/trace/changelog.ts';
import { exploreFrom } from '../checker/trace/explore.ts';
import { KERNEL_INDEX } from '../checker/trace/kernel-index.ts';
import { kindWords, subjectSentence } from '../checker/trace/kinds.ts';
import { STEP_LABELS } from '../checker/trace/labels.ts';
import { lifetime } from '../checker/trace/lifetime.ts';
import { replay } from '../checker/trace/replay.ts';
import { STEP_LINES, checkedRange, releaseOf, rfcOf, sourceRef, variantText } from '../checker/trace/sources.ts';
import { formatTrace } from '../checker/trace/text.ts';
import type { Trace } from '../checker/trace/types.ts';
import { validateTrace } from '../checker/trace/validate.ts';
import { watchValues } from '../checker/trace/watch.ts';
import { parseVariant, resolveVariant } from '../checker/variants.ts';

let x: FdraceExports;
beforeAll(async () => {
  x = await loadKernel();
});

const F08 = 'scenarios/F08-epoll-close-during-replace.fdr';
const F04 = 'scenarios/F04-insert-epoll-no-loop-check.fdr';
const ABBA = 'scenarios/history/ctl-del-abba-4ff36ee94d93.fdr';
const F01 = 'scenarios/F01-replace-5-of-10.fdr';

function trace(file: string, variant: string, path: string, prop?: string): Trace {
  const v = parseVariant(variant);
  const c = compileScenario(readScenario(file), v.label, v.toggles, file);
  return replay(x, c, parsePath(path, c.ix.threadNames.length), file, prop);
}

function fdrace(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('explanations per violation kind', () => {
  it('every kernel invariant has its own title and rule; none falls back to the generic words or shows its kind name', () => {
    const generic = kindWords('NoSuchKind');
    for (const info of Object.values(VIOL_PROPERTY)) {
      const w = kindWords(info.name);
      expect(w, info.name).not.toEqual(generic);
      expect(w.title + w.rule, info.name).not.toContain(info.name);
    }
  });

  it('F08 refcount on rfc-v7 is ep->refcount of E reaching zero, not a file f_ref', () => {
    const t = trace(F08, 'rfc-v7', '0*20.2*25.0', 'refcount');
    expect(t.violation).toMatchObject({ property: 'refcount', kind: 'EpRefcount', step: 46, subject: { kind: 'epoll', name: 'E' } });
    const s = t.steps[45]!.state;
    const words = subjectSentence(t.violation!, s)!;
    expect(words).toMatch(/^struct eventpoll E: ep->refcount 0, /);
    expect(kindWords('EpRefcount').rule).toContain("eventpoll's refcount");
    expect(kindWords('EpRefcount').rule).not.toContain('f_ref');
    // The CLI's text trace names the kind in words too.
    expect(formatTrace(t)).toContain('=> VIOLATION refcount (ep->refcount dropped to zero while still needed) after step 46');
    expect(formatTrace(t)).not.toContain('EpRefcount');
  });

  it('F04 watchers on rfc-v4 is a cycle of epolls, named epoll by epoll', () => {
    const t = trace(F04, 'rfc-v4', '0.0.2*5.0*24', 'watchers');
    expect(t.violation).toMatchObject({ kind: 'EpollCycle', subject: { kind: 'epoll' } });
    const s = t.steps[t.violation!.step - 1]!.state;
    expect(subjectSentence(t.violation!, s)).toMatch(/^(\w+) watches \w+( watches \w+)* watches \1: each epoll has an epitem/);
    expect(kindWords('EpollCycle').title).toBe('epolls watch each other in a cycle');
  });

  it('F08 no-uaf: the freed epitem has a memory report (allocated, freed before the access)', () => {
    const t = trace(F08, 'rfc-v7', '0*7.1*14.0', 'no-uaf');
    expect(t.violation).toMatchObject({ kind: 'UafItem', step: 22, subject: { kind: 'epitem', name: '#0' } });
    const life = lifetime(t, t.violation!.subject!, 22)!;
    expect(life.what).toBe('epitem #0 (OLD, fd 3) of E');
    expect(life.allocated).toBe(0);
    expect(life.freed).not.toBeNull();
    expect(life.freed!).toBeLessThan(22);
    expect(t.steps[life.freed! - 1]!.function).toBe('__ep_remove');
    expect(life.freedBy).toBe(`${t.steps[life.freed! - 1]!.thread} in __ep_remove()`);
  });
});

describe('labels and source links follow the variant', () => {
  it('rfc-v7 steps never say RFC v4; rfc-v4 steps never say RFC v7', () => {
    const v7 = formatTrace(trace(F08, 'rfc-v7', '0*20.2*25.0', 'refcount'));
    expect(v7).toContain('(RFC v7 patch)');
    expect(v7).not.toContain('RFC v4');
    const v4 = formatTrace(trace(F01, 'rfc-v4', '0.0.1*5.0*29'));
    expect(v4).toContain('(RFC v4 patch)');
    expect(v4).not.toMatch(/RFC v[67]/);
    expect(variantText('eventpoll_replace_file (RFC v7)', resolveVariant('rfc-v6').toggles)).toBe('eventpoll_replace_file (RFC v6)');
  });

  it('each variant is pinned to the release it models', () => {
    const tag = (v: string) => releaseOf(parseVariant(v).toggles).tag;
    expect(['v6.2', 'rfc-v4', 'current-pre-6.16', 'current', 'v6.2~ctl-del-nested-fix'].map(tag)).toEqual(['v6.2', 'v6.2', 'v6.15', 'v6.16', 'v3.12']);
    expect(rfcOf(resolveVariant('rfc-v7').toggles)?.version).toBe('v7');
    expect(rfcOf(resolveVariant('current').toggles)).toBeNull();
  });

  it('every label links to a pinned tag or the RFC posting, never master, and mainline steps name their function', () => {
    for (const variant of ['v6.2', 'current', 'rfc-v4', 'rfc-v7']) {
      const toggles = resolveVariant(variant).toggles;
      for (const [name, l] of Object.entries(STEP_LABELS)) {
        const r = sourceRef({ label: name, function: variantText(l.fn, toggles), source: variantText(l.file, toggles) }, toggles);
        expect(r, `${variant} ${name}`).not.toBeNull();
        expect(r!.url).not.toContain('/master/');
        if (r!.precision === 'rfc') expect(r!.url).toMatch(/^https:\/\/lore\.kernel\.org\/all\/\?q=/);
        else expect(r!.url).toMatch(new RegExp(`/(${releaseOf(toggles).tag})/`));
        if (r!.precision === 'function') expect(r!.url).toMatch(/\/C\/ident\/[A-Za-z_][A-Za-z0-9_]*$/);
      }
    }
  });

  it('a recorded line range is used only inside its function as the committed index has it, else the link is function-level', () => {
    // Every range committed in sources.ts lies inside its function at that release.
    for (const [rel, ranges] of Object.entries(STEP_LINES)) {
      for (const [label, range] of Object.entries(ranges)) {
        const l = STEP_LABELS[label as keyof typeof STEP_LABELS];
        expect(l, label).toBeDefined();
        expect(checkedRange(rel, label, l.file.split(' ')[0]!, l.fn), `${rel} ${label}`).toEqual(range);
      }
    }
    // A range outside the function (or with no index entry) is refused, whatever the table says.
    const saved = { lines: STEP_LINES['v6.2'], index: KERNEL_INDEX['v6.2'] };
    try {
      KERNEL_INDEX['v6.2'] = { 'fs/eventpoll.c': { ep_remove: [100, 140] } };
      STEP_LINES['v6.2'] = { EpRemoveRbErase: [120, 121], EpRemoveUnlink: [90, 110], EpFind: [5, 6] };
      expect(checkedRange('v6.2', 'EpRemoveRbErase', 'fs/eventpoll.c', 'ep_remove')).toEqual([120, 121]);
      expect(checkedRange('v6.2', 'EpRemoveUnlink', 'fs/eventpoll.c', 'ep_remove')).toBeNull();
      expect(checkedRange('v6.2', 'EpFind', 'fs/eventpoll.c', 'do_epoll_ctl')).toBeNull();
      const toggles = resolveVariant('v6.2').toggles;
      expect(sourceRef({ label: 'EpRemoveRbErase', function: 'ep_remove', source: 'fs/eventpoll.c' }, toggles)).toMatchObject({
        precision: 'lines',
        url: 'https://github.com/torvalds/linux/blob/v6.2/fs/eventpoll.c#L120-L121',
      });
      expect(sourceRef({ label: 'EpRemoveUnlink', function: 'ep_remove', source: 'fs/eventpoll.c' }, toggles)).toMatchObject({
        precision: 'function',
        url: 'https://elixir.bootlin.com/linux/v6.2/C/ident/ep_remove',
      });
    } finally {
      if (saved.lines) STEP_LINES['v6.2'] = saved.lines;
      else delete STEP_LINES['v6.2'];
      if (saved.index) KERNEL_INDEX['v6.2'] = saved.index;
      else delete KERNEL_INDEX['v6.2'];
    }
  });

  it('a source that is not a kernel path gets no link', () => {
    expect(sourceRef({ function: 'f', source: 'javascript:alert(1)' }, 0)).toBeNull();
    expect(sourceRef({ function: 'f', source: '../../etc/passwd.c' }, 0)).toBeNull();
  });

  it('steps carry their label id, and traces without one (format 1 as first written) still validate', () => {
    const t = trace(F01, 'rfc-v4', '0.0.1*5.0*29');
    expect(t.steps.every((s) => s.label !== undefined && s.label in Step)).toBe(true);
    const old = structuredClone(t) as Trace;
    for (const s of old.steps) delete s.label;
    delete old.violation!.subject;
    expect(validateTrace(old).steps[0]!.label).toBeUndefined();
    expect(validateTrace(t).steps[0]!.label).toBe(t.steps[0]!.label);
    const bad = structuredClone(t) as Trace;
    bad.steps[0]!.label = '<img>';
    expect(() => validateTrace(bad)).toThrow(/steps\[0\]\.label: a step label is an identifier/);
  });
});

describe('changelog diagrams', () => {
  it('F08 refcount: two CPU columns, only the steps touching E, each as a kernel call, ending at the WARN', () => {
    const t = trace(F08, 'rfc-v7', '0*20.2*25.0', 'refcount');
    const text = formatChangelog(t);
    const lines = text.split('\n');
    expect(lines[2]).toMatch(/^CPU0 \(T\) +CPU1 \(T4\)$/);
    expect(lines[3]).toMatch(/^-{8} +-{9}$/);
    const col = lines[2]!.indexOf('CPU1');
    expect(lines.some((l) => l.startsWith(`${' '.repeat(col)}close(4)`))).toBe(true);
    expect(text).toContain('    WARN_ON_ONCE(ep_refcount_dec_and_test(ep))  // E.refcount 1 -> 0  <- here');
    expect(text).toContain('ep->refcount dropped to zero while still needed (refcount, after step 46)');
    expect(text).not.toContain('EpRefcount');
    // Only steps that touch E: fewer than the path's steps, and every kept step names E in its changes.
    const names = involvedNames(t);
    expect([...names]).toEqual(['E']);
    const m = /: (\d+) of 46 steps, only those touching E/.exec(lines[0]!);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(46);
  });

  it('the ABBA deadlock ends with both tasks blocked, and its trace carries lockdep rows', () => {
    const t = trace(ABBA, 'v6.2~ctl-del-nested-fix', '0*7.1*7');
    expect(t.violation?.scenario).toEqual({
      tasks: ['T1', 'T2'],
      rows: [
        { cpu: 0, text: 'lock(A.mtx);' },
        { cpu: 1, text: 'lock(B.mtx);' },
        { cpu: 0, text: 'lock(B.mtx);' },
        { cpu: 1, text: 'lock(A.mtx);' },
      ],
    });
    const text = formatChangelog(t);
    expect(text).toMatch(/mutex_lock_nested\(&ep->mtx, 0\) {2}\/\/ A\.mtx taken by T1/);
    expect(text).toMatch(/lock\(B\.mtx\) {2}\/\/ blocks/);
    expect(text).toMatch(/lock\(A\.mtx\) {2}\/\/ blocks/);
    expect(text.trimEnd().endsWith('*** DEADLOCK ***')).toBe(true);
  });

  it('kernelCall picks the call out of a label text', () => {
    const s = { text: 'fd != tfd: spin_unlock(&toreplace->f_lock)', changes: [] as string[] };
    expect(kernelCall(s)).toBe('spin_unlock(&toreplace->f_lock)');
    expect(kernelCall({ ...s, text: 'no more slots' })).toBe('/* no more slots */');
    const check = 'if (!file_can_poll(file)) return 0; spin_lock(&toreplace->f_lock); epi = first';
    expect(kernelCall({ text: check, changes: [] })).toBe('if (!file_can_poll(file)) return 0');
    expect(kernelCall({ text: check, changes: ['OLD.f_lock taken by T'] })).toBe('spin_lock(&toreplace->f_lock)');
  });

  it('fdrace replay --format changelog|json|text; --json is --format json; a bad format is exit 2', () => {
    const base = ['replay', F08, '--variant', 'rfc-v7', '--path', '0*20.2*25.0', '--property', 'refcount'];
    const cl = fdrace(...base, '--format', 'changelog');
    expect(cl.code).toBe(10);
    expect(cl.out.trimEnd()).toBe(
      formatChangelog(trace(F08, 'rfc-v7', '0*20.2*25.0', 'refcount'))
        .replace(F08, F08)
        .trimEnd(),
    );
    expect(fdrace(...base, '--format', 'json').out).toBe(fdrace(...base, '--json').out);
    expect(fdrace(...base, '--format', 'text').out).toBe(fdrace(...base).out);
    const bad = fdrace(...base, '--format', 'yaml');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--format: expected text, json or changelog, got yaml');
    expect(fdrace(...base, '--format', 'text', '--json').code).toBe(2);
  });

  it('a million-step path prints without overflowing the stack', () => {
    const t = trace('scenarios/F18-cleanup-livelock.fdr', 'rfc-v7', '0*30');
    const long = { ...t, steps: Array.from({ length: 200_000 }, (_, i) => ({ ...t.steps[i % t.steps.length]!, step: i + 1 })) };
    expect(() => formatTrace(long)).not.toThrow();
    expect(() => formatChangelog(long, { all: true })).not.toThrow();
  });
});

describe('watch expressions and explore from here', () => {
  it('P.fd[4] == OLD on F01 rfc-v4 is true until the walk replaces fd 4, then false', () => {
    const t = trace(F01, 'rfc-v4', '0.0.1*5.0*29');
    const vals = watchValues(x, t.source, t.variant, t.path, 'P.fd[4] == OLD');
    expect(vals).toHaveLength(t.steps.length + 1);
    const flip = t.steps.find((s) => s.changes.includes('P.fd[4]: OLD -> NEW'))!.step;
    expect(vals.slice(0, flip).every(Boolean)).toBe(true);
    expect(vals.slice(flip).some(Boolean)).toBe(false);
    expect(() => watchValues(x, t.source, t.variant, t.path, 'P.fd[4] ==')).toThrow(/^column \d+: /);
    expect(() => watchValues(x, t.source, t.variant, t.path, '')).toThrow(/type an expression/);
  });

  it('exploring F01 rfc-v4 from step 0 finds the properties fdrace check finds; from the violation step, only what follows', () => {
    const file = F01;
    const v = resolveVariant('rfc-v4');
    const c = compileScenario(readScenario(file), v.label, v.toggles, file);
    const r = exploreFrom(x, c, [], { maxStates: 100_000, timeoutSeconds: 60 });
    expect(r.incomplete).toBeNull();
    expect(r.findings.map((f) => f.property).sort()).toEqual(['check-list', 'fd-local-replace', 'fds_untouched']);
    // Every finding's path replays to that property.
    for (const f of r.findings) expect(replay(x, c, parsePath(f.path, c.ix.threadNames.length), file, f.property).violation?.property).toBe(f.property);
    const prefix = parsePath('0.0.1*5.0*29', 2);
    const later = exploreFrom(x, c, prefix, { maxStates: 100_000, timeoutSeconds: 60 });
    expect(later.states).toBeLessThan(r.states);
    for (const f of later.findings) expect(f.path.startsWith('0.0.1*5.0*')).toBe(true);
  });

  it('from the initial state it explores exactly the states and transitions fdrace check does without POR', () => {
    // fdrace check --no-por --no-symmetry: F01 rfc-v4 97 states / 98 transitions, F04 rfc-v4 612 / 1120 (plus the lock-order
    // inversion, which comes from the lock graph, not from a path).
    for (const [file, variant, states, transitions, props] of [
      [F01, 'rfc-v4', 97, 98, 'check-list,fd-local-replace,fds_untouched'],
      [F04, 'rfc-v4', 612, 1120, 'deadlock,locks,watchers'],
    ] as const) {
      const v = resolveVariant(variant);
      expect(v.toggles & Toggle.RfcV4Replace).not.toBe(0);
      const c = compileScenario(readScenario(file), v.label, v.toggles, file);
      const r = exploreFrom(x, c, [], { maxStates: 100_000, timeoutSeconds: 60 });
      expect([
        r.states,
        r.transitions,
        r.incomplete,
        r.findings
          .map((f) => f.property)
          .sort()
          .join(','),
      ]).toEqual([states, transitions, null, props]);
    }
  });
});
