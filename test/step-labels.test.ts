// Step labels live next to the steps (`// @step` lines in model/routines/) and are collected into
// checker/trace/step-labels.ts by scripts/step-labels.ts: that file is fresh, every step has exactly one label,
// and every step the kernel can emit (a Step.NAME inside a label() call) has one — and no label is dead.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STEPS_FILE, STEP_LABELS_FILE, collect, generate, modelSources, readAnnotations, stepIds, withSteps } from '../scripts/step-labels.ts';
import { stepLabel } from '../checker/trace/labels.ts';
import { Step } from '../model/steps.ts';

/** The steps the model's code can record: every Step.NAME written inside a label(...) call. */
function emitted(): Set<string> {
  const out = new Set<string>();
  for (const path of modelSources()) {
    const src = readFileSync(path, 'utf8');
    for (const call of src.matchAll(/\blabel\(([^;]*?)\);/g)) for (const m of call[1]!.matchAll(/Step\.(\w+)/g)) out.add(m[1]!);
  }
  return out;
}

describe('step labels next to the steps', () => {
  it('checker/trace/step-labels.ts is what npm run labels writes from the model', () => {
    const { text, errors } = generate();
    expect(errors).toEqual([]);
    expect(readFileSync(STEP_LABELS_FILE, 'utf8')).toBe(text);
  });

  it('every step the kernel can emit has a label, and every labelled step is emitted somewhere', () => {
    const names = Object.keys(Step).filter((k) => Number.isNaN(Number(k)) && k !== 'None');
    const kernel = emitted();
    expect([...kernel].sort()).toEqual([...names].sort());
    for (const name of kernel) {
      const l = stepLabel(Step[name as keyof typeof Step]);
      expect(l.fn, name).not.toBe('?');
      expect(l.file, name).toMatch(/^(fs|kernel|io_uring)\//);
      expect(l.text.length, name).toBeGreaterThan(5);
    }
  });

  it('a missing, duplicated or unknown @step is an error naming where', () => {
    const all = readAnnotations();
    const first = all[0]!;
    expect(collect(all.slice(1)).errors).toEqual([`model/steps.ts: step ${first.name} has no // @step label next to it`]);
    expect(collect([...all, { ...first, at: 'x.ts:9' }]).errors).toEqual([`x.ts:9: @step ${first.name}: already labelled at ${first.at}`]);
    expect(collect([...all, { ...first, name: 'NoSuchStep', at: 'x.ts:3' }]).errors).toEqual([
      'x.ts:3: @step NoSuchStep: no such step in model/steps.ts (npm run labels appends it)',
    ]);
  });

  it('continuation lines join the text with single spaces', () => {
    const epRemoveUnlink = readAnnotations().find((a) => a.name === 'EpRemoveUnlink')!;
    expect(epRemoveUnlink.text).toBe('hlist_del_rcu(&epi->fllink): *pprev = next stores into the list head (ep->refs of an epoll file) or the previous epitem');
    expect(epRemoveUnlink.at).toMatch(/^model\/routines\/epitem\.ts:\d+$/);
  });
});

describe('step ids appended for new @step names', () => {
  const current = readFileSync(STEPS_FILE, 'utf8');

  it('reads model/steps.ts as the Step enum it compiles to', () => {
    const ids = stepIds(current);
    expect(ids.size).toBe(Object.keys(Step).filter((k) => Number.isNaN(Number(k))).length);
    for (const [name, id] of ids) expect(Step[name as keyof typeof Step], name).toBe(id);
  });

  it('appends the missing names after the highest unreserved id, never renumbering and skipping reserved ranges', () => {
    const ids = stepIds(current);
    const top = Math.max(...[...ids.values()].filter((n) => n < 230));
    const out = withSteps(current, ['NewStepA', 'DupBadFd', 'NewStepB', 'NewStepA']);
    const added = out.split('\n').filter((l) => !current.split('\n').includes(l));
    expect(added).toEqual([`  NewStepA = ${top + 1},`, `  NewStepB = ${top + 2},`]);
    const after = stepIds(out);
    for (const [name, id] of ids) expect(after.get(name), name).toBe(id);
    expect(withSteps(current, [...ids.keys()])).toBe(current);
    expect(withSteps(out, ['NewStepA', 'NewStepB'])).toBe(out);
    // The ranges other work has reserved (a `// ... N..M` comment) are skipped, and the new members go after the
    // highest id outside them.
    const tight = ['export enum Step {', '  None = 0,', '  A = 1,', '  // issue 99: 3..5.', '  B = 2,', '  // issue 98: 240..249.', '  C = 240,', '}'].join(
      '\n',
    );
    expect([...stepIds(withSteps(tight, ['X', 'Y', 'C', 'Z']))]).toEqual([
      ['None', 0],
      ['A', 1],
      ['B', 2],
      ['X', 6],
      ['Y', 7],
      ['Z', 8],
      ['C', 240],
    ]);
  });
});
