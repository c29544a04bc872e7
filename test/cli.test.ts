// The real command, run as a user would: exit codes, JSON fields, located errors, hostile input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function fdrace(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'fdrace-cli-'));
const F01 = 'scenarios/F01-replace-5-of-10.fdr';
const V62_PATH = '0.0.1*5.0*10.1*4.0.0';

describe('fdrace check', () => {
  it('F01 on rfc-v4 --json: exit 10, fds 4..12 switched although only fd 3 was asked for', () => {
    const r = fdrace('check', F01, '--variant', 'rfc-v4', '--json');
    expect(r.code).toBe(10);
    const j = JSON.parse(r.out.trim());
    expect(j).toMatchObject({ scenario: 'F01-replace-5-of-10', variant: 'rfc-v4', verdict: 'violation', matchesExpected: true });
    // One path; its ep_remove of OLD's only epitem publishes f_ep = NULL and unlinks in two steps.
    expect(j.stats).toMatchObject({ states: 97, transitions: 98, maxDepth: 94 });
    expect(typeof j.stats.seconds).toBe('number');
    expect(j.violations.map((v: { property: string; path: string }) => [v.property, v.path])).toEqual([
      ['check-list', '0.0.1*5.0*27'],
      ['fd-local-replace', '0.0.1*5.0*29'],
      ['fds_untouched', '0.0.1*5.0*79.1*4.0*4'],
    ]);
  });

  it('F01 on v6.2: exit 10, fds 4..12 stay but the epoll item still watches the old socket', () => {
    const r = fdrace('check', F01, '--variant', 'v6.2');
    expect(r.code).toBe(10);
    expect(r.out).toContain(
      'F01-replace-5-of-10 [v6.2]: VIOLATION (registration-follows-fd, stale-registration); expected violation(registration-follows-fd, stale-registration): as expected',
    );
    expect(r.out).toMatch(/11\s+T\s+do_dup2\s+fs\/file\.c\s+P\.fd\[3\]: OLD -> NEW/);
  });

  it('one JSON object per line for several variants', () => {
    const r = fdrace('check', F01, '--json');
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.variant)).toEqual(['v6.2', 'current', 'rfc-v4', 'rfc-v7', 'userspace', 'userspace-frozen']);
  });

  it('a limit gives incomplete and exit 12', () => {
    const r = fdrace('check', 'scenarios/F08-epoll-close-during-replace.fdr', '--variant', 'current', '--max-states', '50', '--json');
    expect(r.code).toBe(12);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ verdict: 'incomplete', incomplete: '--max-states 50 reached' });
    expect(j.stats.states).toBeGreaterThanOrEqual(50);
    expect(j.stats.states).toBeLessThanOrEqual(50 + 6); // at most one state's successors past the limit
  });

  it('--trace-out writes Trace JSON format 1', () => {
    const dir = join(tmp, 'traces');
    const r = fdrace('check', F01, '--variant', 'v6.2', '--trace-out', dir, '--no-trace');
    expect(r.code).toBe(10);
    const tr = JSON.parse(readFileSync(join(dir, 'F01-replace-5-of-10.v6.2.stale-registration.trace.json'), 'utf8'));
    expect(tr).toMatchObject({ format: 1, scenario: 'F01-replace-5-of-10', variant: 'v6.2', path: V62_PATH });
    expect(tr.steps).toHaveLength(23);
    expect(tr.violation).toMatchObject({ property: 'stale-registration', step: 23 });
  });
});

describe('errors are located, one line, exit 2', () => {
  it('a malformed scenario names file:line:col', () => {
    const f = join(tmp, 'bad.fdr');
    writeFileSync(f, 'scenario x\nfile A socket\nprocess P\n  fd 3 = B\n');
    const r = fdrace('check', f);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`${f}:4:10: error: unknown file 'B' (declared: A)`);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('usage errors', () => {
    expect(fdrace('check').code).toBe(2);
    expect(fdrace('check', F01, '--bogus').err).toContain("unknown option '--bogus'");
    expect(fdrace('check', F01, '--max-states', '-5').code).toBe(2);
    expect(fdrace('check', F01, '--max-states', '1e999').code).toBe(2);
    expect(fdrace('check', F01, '--variant', 'v9').err).toContain("unknown variant 'v9'");
    expect(fdrace('check', join(tmp, 'missing.fdr')).err).toContain('cannot read the file (ENOENT)');
    expect(fdrace('frobnicate').code).toBe(2);
  });

  it('a directory or a binary file is refused', () => {
    const d = join(tmp, 'dir.fdr');
    mkdirSync(d, { recursive: true });
    expect(fdrace('check', d).code).toBe(2);
    const b = join(tmp, 'bin.fdr');
    writeFileSync(b, Buffer.from([0x73, 0, 1, 2, 0xff]));
    const r = fdrace('check', b);
    expect(r.code).toBe(2);
    expect(r.err).toContain(':1:1: error:');
  });

  it('replay rejects a path that does not fit the scenario, naming the step', () => {
    expect(fdrace('replay', F01, '--variant', 'v6.2', '--path', `${V62_PATH}.0`).err).toContain('step 24: thread T has finished');
    expect(fdrace('replay', F01, '--variant', 'v6.2', '--path', '0.0.0').err).toContain('step 3: thread T is blocked');
    expect(fdrace('replay', F01, '--variant', 'v6.2', '--path', '7').err).toContain('names thread 7');
    expect(fdrace('replay', F01, '--variant', 'v6.2', '--path', '0.x').code).toBe(2);
    expect(fdrace('replay', F01, '--variant', 'v6.2', '--path', '0!').err).toContain('beyond the scenario');
  });
});

describe('fdrace replay and ci', () => {
  it('replay prints the trace and exits with the violation code', () => {
    const r = fdrace('replay', F01, '--variant', 'v6.2', '--path', V62_PATH);
    expect(r.code).toBe(10);
    // The replacement returns to T in the last step: the at-return part of the property fails there first.
    expect(r.out).toContain('=> VIOLATION registration-follows-fd (when) after step 23');
  });

  it('ci passes on the library and fails, naming the scenario, when an expected result is flipped', () => {
    expect(fdrace('ci', 'scenarios').code).toBe(0);
    const f = join(tmp, 'F01-flipped.fdr');
    writeFileSync(f, readFileSync(F01, 'utf8').replace('result rfc-v4 violation(fds_untouched, fd-local-replace, check-list)', 'result rfc-v4 pass'));
    const r = fdrace('ci', f);
    expect(r.code).toBe(10);
    expect(r.out).toContain('FAIL F01-replace-5-of-10');
    expect(r.out).toContain('expected pass, got violation(check-list, fd-local-replace, fds_untouched)');
  });
});
