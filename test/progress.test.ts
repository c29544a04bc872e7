// Progress by the graph (checker/search/progress.ts): a fair cycle on which a thread never finishes is a livelock
// with a lasso; a retry loop that another thread's progress ends is not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkProgress } from '../checker/search/progress.ts';
import { nodeSession } from '../checker/session-node.ts';
import { formatTrace } from '../checker/trace/text.ts';
import { check, compileText, trace } from './util/run.ts';

const F18 = readFileSync(new URL('../scenarios/F18-cleanup-livelock.fdr', import.meta.url), 'utf8');
// The same replacement, with a second thread that deletes the registration of fd 7 (E2's (OLD, 7)): the
// first entry of OLD's f_ep that keeps rfc-v7's cleanup loop going goes away, and the loop ends.
const F18_WITH_DEL = F18.replace('thread T in P\n', 'thread T2 in P\n  epoll_ctl(5, DEL, 7)\nthread T in P\n');

describe('livelock by the graph', () => {
  it('rfc-v7: the cleanup loop re-reads the first f_ep entry forever (a 2-step cycle after 25 steps)', async () => {
    // T alone: after the move of (OLD, 3) the loop finds (OLD, 7) first, takes and drops OLD's f_lock, and is
    // back in the same state: steps 26 (lock) and 27 (unlock, restart) repeat forever.
    const r = await check(F18, 'rfc-v7');
    const v = r.violations.find((x) => x.property === 'livelock')!;
    expect(v).toMatchObject({ kind: 'cycle', qualified: 'livelock.cycle', path: '0*27', steps: 27 });
    expect(v.lasso).toEqual({ prefixSteps: 25, cycleStart: 25, cycleSteps: 2 });
    const tr = await trace(F18, 'rfc-v7', v.path, 'livelock');
    expect(tr.lasso).toEqual({ prefixSteps: 25, cycleStart: 25, cycleSteps: 2 });
    expect(tr.violation).toMatchObject({ property: 'livelock', kind: 'cycle', step: 27 });
    expect(formatTrace(tr)).toContain('--- cycle: steps 26..27 return to the state after step 25 and repeat forever ---');
  });

  it('a retry loop that another thread ends is not a livelock', async () => {
    const x = await nodeSession().replayInstance();
    const p = checkProgress(x, compileText(F18_WITH_DEL, 'rfc-v7'));
    // The loop is in the graph (cycles exist) but each one needs T2, enabled on it again and again, never to run.
    expect(p.components).toBeGreaterThan(0);
    expect(p.lasso).toBeNull();
    const r = await check(F18_WITH_DEL, 'rfc-v7');
    expect(r.violations.map((v) => v.property)).not.toContain('livelock');
  });

  it('current has no cycle at all', async () => {
    const x = await nodeSession().replayInstance();
    const p = checkProgress(x, compileText(F18, 'current'));
    expect([p.lasso, p.components]).toEqual([null, 0]);
  });
});
