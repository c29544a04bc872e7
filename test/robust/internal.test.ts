// Defect 3's second half and the internal-error contract: one scenario's internal error is a row of the ci table,
// JUnit and SARIF, the run goes on and ends with exit 1; the message is one line naming what reproduces it.
import { describe, expect, it, vi } from 'vitest';
import { ciExitCode } from '../../checker/cli/ci.ts';
import { runCi } from '../../checker/report/ci-run.ts';
import { REPORT_AT, internalLine } from '../../checker/cli/internal.ts';
import { junitXml } from '../../checker/report/junit.ts';
import { sarifLog } from '../../checker/report/sarif.ts';
import { ciTable } from '../../checker/report/table.ts';
import { readFileSync } from 'node:fs';
import { checkCommand } from '../../checker/cli/check.ts';

// A compiler that fails like a bug would (a plain Error) on one scenario x variant.
vi.mock('../../checker/compile/config.ts', async (orig) => {
  const real = await orig<typeof import('../../checker/compile/config.ts')>();
  return {
    ...real,
    compileScenario: (...a: Parameters<typeof real.compileScenario>) => {
      if (a[0].name === 'F13-poll-dying-file' && a[1] === 'current') throw new RangeError('Maximum call stack size exceeded');
      return real.compileScenario(...a);
    },
  };
});

describe('an internal error in ci', () => {
  it('becomes an error row; the other runs go on; table, JUnit and SARIF show it; exit 1', async () => {
    const files = ['scenarios/F12-release-vs-epoll-close.fdr', 'scenarios/F13-poll-dying-file.fdr', 'scenarios/F15-file-close-vs-epoll-close.fdr'];
    const rows = await runCi(files, { traces: true });
    expect(rows.map((r) => [r.scenario, r.variant, r.internal ?? false, r.cmp?.matches ?? null])).toEqual([
      ['F12-release-vs-epoll-close', 'v6.2', false, true],
      ['F12-release-vs-epoll-close', 'current', false, true],
      ['F12-release-vs-epoll-close', 'current-pre-6.16', false, true],
      ['F12-release-vs-epoll-close', 'current~ep-remove-pin', false, true],
      ['F13-poll-dying-file', 'v6.2', false, true],
      ['F13-poll-dying-file', 'current', true, null],
      ['F15-file-close-vs-epoll-close', 'v6.2', false, true],
      ['F15-file-close-vs-epoll-close', 'current', false, true],
    ]);
    const bad = rows.find((r) => r.internal)!;
    expect(bad.error).toBe(
      'internal error (a bug in fdrace, not in your input): Maximum call stack size exceeded; scenario scenarios/F13-poll-dying-file.fdr, ' +
        'variant current; reproduce: fdrace check scenarios/F13-poll-dying-file.fdr --variant current; ' +
        `please report it (${REPORT_AT}), FDRACE_DEBUG=1 shows the stack`,
    );
    expect(ciExitCode(rows)).toBe(1);
    expect(ciTable(rows)).toMatch(/F13-poll-dying-file.*✗ error/);
    const junit = junitXml(rows, 1);
    expect(junit).toContain('type="internal-error"');
    expect(junit).toContain('errors="1"');
    const sarif = sarifLog(rows, 1) as { runs: { results: { ruleId: string; message: { text: string } }[] }[] };
    expect(sarif.runs[0]!.results.filter((r) => r.ruleId === 'internal-error').map((r) => r.message.text)).toEqual([bad.error]);
  });

  it('check: the run that fails is one line on stderr, the other variants still run, exit 1', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
    try {
      const code = await checkCommand(['scenarios/F13-poll-dying-file.fdr', '--no-trace', '--strategy', 'dfs']);
      expect(code).toBe(1);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(out.filter((l) => /^F13/.test(l))).toEqual(['F13-poll-dying-file [v6.2]: VIOLATION (refcount); expected violation(refcount): as expected']);
    expect(err).toEqual([
      'fdrace: internal error (a bug in fdrace, not in your input): Maximum call stack size exceeded; scenario scenarios/F13-poll-dying-file.fdr, ' +
        'variant current; reproduce: fdrace check scenarios/F13-poll-dying-file.fdr --variant current --no-trace --strategy dfs; ' +
        `please report it (${REPORT_AT}), FDRACE_DEBUG=1 shows the stack`,
    ]);
  });

  it('the one line names the path or seed when one is known, and the README section exists', () => {
    const line = internalLine(new Error('unreachable'), {
      file: 'a.fdr',
      variant: 'v6.2',
      path: '0.1*3',
      command: 'fdrace replay a.fdr --variant v6.2 --path 0.1*3',
    });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe(
      'fdrace: internal error (a bug in fdrace, not in your input): unreachable; scenario a.fdr, variant v6.2, path 0.1*3; ' +
        `reproduce: fdrace replay a.fdr --variant v6.2 --path 0.1*3; please report it (${REPORT_AT}), FDRACE_DEBUG=1 shows the stack`,
    );
    expect(internalLine(new Error('x'), { seed: 17 })).toContain('; seed 17;');
    expect(readFileSync('README.md', 'utf8')).toMatch(/^## Reporting bugs$/m);
  });
});
