// The two forms of the ep_remove race that a6dc643c6931 (toggle ep-remove-pin) fixed: the eventpoll form
// (scenarios/history/ep-remove-uaf-a6dc643c6931.fdr, checked with every fix in test/affected.test.ts) and the
// struct file form, with the freed file's memory taken by a new epoll (ep-remove-recycled-a6dc643c6931.fdr).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from './util/run.ts';

const FILE = 'scenarios/history/ep-remove-recycled-a6dc643c6931.fdr';

describe('ep_remove against the last close of a watched socket (a6dc643c6931)', () => {
  it('found without the pin, on v6.12 also as the eventpoll use-after-free; serialised on v6.2; fixed on current', async () => {
    const text = readFileSync(FILE, 'utf8');
    const got: [string, string[], number][] = [];
    for (const v of ['v6.2', 'v6.12', 'current', 'current~ep-remove-pin']) {
      const r = await check(text, v);
      got.push([v, r.violations.map((x) => x.qualified ?? x.property), r.stats.states]);
    }
    expect(got).toEqual([
      ['v6.2', [], 1516],
      ['v6.12', ['free-while-locked.held-lock', 'no-uaf.eventpoll'], 2136],
      ['current', [], 2302],
      ['current~ep-remove-pin', ['free-while-locked.held-lock'], 2304],
    ]);
  });
});
