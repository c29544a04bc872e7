// Regression tests for issue 13's defects seen from outside: the real command, spawned as a user would run it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

function fdrace(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'fdrace-robust-'));

/** CPU seconds a process has used (Linux /proc/PID/stat: utime + stime in clock ticks, 100 per second). Node
 *  itself catches SIGINT from startup (and dies of it), so readiness is judged by work done: startup (loading
 *  tsx, compiling the Wasm kernel, parsing) takes well under a CPU second, and fdrace catches SIGINT before it
 *  loads the kernel; bench/big.fdr then searches for about a minute. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}

async function interrupt(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['bin/fdrace.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', () => {});
  await vi.waitFor(() => expect(cpuSeconds(child.pid!)).toBeGreaterThan(3), { timeout: 100_000, interval: 50 });
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, out };
}

describe('2: Ctrl-C ends every single-worker search with a labelled incomplete result, exit 12', () => {
  it.each(['bfs', 'dfs', 'pb', 'random'])('%s on bench/big.fdr', async (strategy) => {
    const extra = strategy === 'random' ? ['--walks', '100000000'] : [];
    const r = await interrupt(['check', 'bench/big.fdr', '--strategy', strategy, '--no-trace', ...extra]);
    expect(r.code).toBe(12);
    expect(r.out).toContain('bench-big [v6.2]: INCOMPLETE [incomplete: interrupted]');
  }, 120_000);
  it('ci too: the run stops, exit 12', async () => {
    const r = await interrupt(['ci', 'bench/big.fdr']);
    expect(r.code).toBe(12);
  }, 120_000);
});

describe('3: fdrace ci never aborts on one scenario', () => {
  it('a scenario the model cannot hold is a located error row; the others still run', () => {
    const dir = join(tmp, 'ci3');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-good.fdr'), readFileSync('scenarios/F13-poll-dying-file.fdr'));
    const files = Array.from({ length: 17 }, (_, i) => `file F${i} socket`);
    const fds = Array.from({ length: 17 }, (_, i) => `  fd ${i} = F${i}`);
    writeFileSync(
      join(dir, 'b-big.fdr'),
      ['scenario big', ...files, 'process P', ...fds, 'thread T in P', '  close(1)', 'variants v6.2', 'result v6.2 pass', ''].join('\n'),
    );
    writeFileSync(join(dir, 'c-good.fdr'), readFileSync('scenarios/F12-release-vs-epoll-close.fdr'));
    const r = fdrace('ci', dir, '--junit', join(dir, 'out', 'j.xml'), '--sarif', join(dir, 'out', 's.sarif'));
    expect(r.code).toBe(2);
    expect(r.out).toContain(`ERROR ${join(dir, 'b-big.fdr')}:18:1: error: the model supports at most 16 files`);
    expect(r.out).toMatch(/ok {3}F12-release-vs-epoll-close/);
    expect(readFileSync(join(dir, 'out', 'j.xml'), 'utf8')).toContain('type="scenario-error"');
    expect(readFileSync(join(dir, 'out', 's.sarif'), 'utf8')).toContain('"ruleId": "scenario-error"');
  });
});

describe('4: a misspelt variant in a when list', () => {
  it('is a located error, exit 2 (the thread vanished and a violating scenario passed)', () => {
    const f = join(tmp, 'curent.fdr');
    writeFileSync(
      f,
      'scenario typo\nfile A socket\nprocess P\n  fd 3 = A\nthread T in P when curent\n  close(3)\nthread U in P\n  close(3)\nvariants current\nresult current pass\n',
    );
    const r = fdrace('check', f);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(new RegExp(`^${f}:5:20: error: unknown variant 'curent' \\(did you mean 'current'\\?\\)`));
  });
});

describe('5: a closed stdout ends the run quietly', () => {
  it.each([
    ['check', 'check scenarios/F01-replace-5-of-10.fdr scenarios/F07-replace-vs-add.fdr'],
    ['ci', 'ci scenarios/'],
    ['replay', 'replay scenarios/F01-replace-5-of-10.fdr --variant rfc-v4 --path 0.0.1*5.0*79.1*4.0*4 --all'],
  ])('%s | head -1', (name, args) => {
    const r = spawnSync('bash', ['-c', `node bin/fdrace.mjs ${args} 2>"$ERR" | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      env: { ...process.env, ERR: join(tmp, 'epipe.err') },
      timeout: 120_000,
    });
    const err = readFileSync(join(tmp, 'epipe.err'), 'utf8');
    expect(err).toBe('');
    // check and ci write far more than a pipe holds; replay's trace may fit, and then it ends normally (exit 10).
    expect(r.stdout.trim()).toEqual(name === 'replay' ? expect.stringMatching(/^(141|10)$/) : '141');
  });
});

describe('6: long chains from the command line', () => {
  it('parse prints a 20,000-term chain; check names the line that is too large (both overflowed the stack)', () => {
    const f = join(tmp, 'long.fdr');
    const terms = Array.from({ length: 20_000 }, () => 'P.fd[3] == A').join(' || ');
    writeFileSync(
      f,
      `scenario long\nfile A socket\nprocess P\n  fd 3 = A\nthread T in P\n  close(3)\nexpect big: at end ${terms}\nvariants v6.2\nresult v6.2 pass\n`,
    );
    const p = fdrace('parse', f);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out).expectations[0].label).toBe('big');
    const c = fdrace('check', f);
    expect([c.code, c.err.trim()]).toEqual([
      2,
      `${f}:7:1: error: the expectations are too large for the model: 120000 bytes of bytecode up to this line, at most 1792`,
    ]);
  });
});

describe('7: bad files and paths are clear usage errors', () => {
  it('--trace-out naming an existing file is refused before the search (it failed after a full search)', () => {
    const f = join(tmp, 'a-file');
    writeFileSync(f, 'x');
    // bench/big.fdr takes about a minute to search: the refusal comes first.
    const r = fdrace('check', 'bench/big.fdr', '--trace-out', f);
    expect([r.code, r.out, r.err.trim()]).toEqual([2, '', `fdrace: --trace-out ${f}: exists and is not a directory (--trace-out takes a directory)`]);
  });
  it('a symbolic link loop under ci DIR', () => {
    const d = join(tmp, 'loop');
    mkdirSync(join(d, 'sub'), { recursive: true });
    symlinkSync('..', join(d, 'sub', 'up'));
    const r = fdrace('ci', d);
    expect([r.code, r.err.trim()]).toEqual([2, `fdrace: ${join(d, 'sub', 'up')}: a symbolic link loop (this directory contains itself)`]);
    const d2 = join(tmp, 'loop2');
    mkdirSync(d2);
    symlinkSync('self', join(d2, 'self'));
    const r2 = fdrace('ci', d2);
    expect([r2.code, r2.err.trim()]).toEqual([2, `fdrace: ${join(d2, 'self')}: cannot read (ELOOP: a loop of symbolic links)`]);
  });
  it('/dev/zero is refused at the 1 MiB cap (it read gigabytes)', () => {
    const r = fdrace('check', '/dev/zero');
    expect([r.code, r.err.trim()]).toEqual([2, 'fdrace: /dev/zero: larger than 1 MiB, too large for a scenario (limit 1 MiB)']);
  });
  it('a scenario file starting with a byte order mark is read', () => {
    const f = join(tmp, 'bom.fdr');
    writeFileSync(f, `\ufeff${readFileSync('scenarios/F13-poll-dying-file.fdr', 'utf8')}`);
    expect(fdrace('check', f, '--variant', 'current').code).toBe(0);
  });
});

describe('8: labels with toggles switched on', () => {
  it("F01 --variant v6.2 --with rfc-v4-replace: 97 states and rfc-v4's violations, not a DEADLOCK in 3", () => {
    const r = fdrace('check', 'scenarios/F01-replace-5-of-10.fdr', '--variant', 'v6.2', '--with', 'rfc-v4-replace', '--json');
    expect(r.code).toBe(10);
    const j = JSON.parse(r.out);
    expect([j.variant, j.verdict, j.stats.states]).toEqual(['v6.2+rfc-v4-replace', 'violation', 97]);
    expect(j.violations.map((v: { property: string }) => v.property)).toEqual(['check-list', 'fd-local-replace', 'fds_untouched']);
  });
});

describe('10: every counterexample gets its own --trace-out file', () => {
  it('F08 on rfc-v7 has two refcount counterexamples: refcount.trace.json and refcount.2.trace.json', () => {
    const dir = join(tmp, 'traces');
    const r = fdrace('check', 'scenarios/F08-epoll-close-during-replace.fdr', '--variant', 'rfc-v7', '--trace-out', dir, '--no-trace');
    expect(r.code).toBe(10);
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.includes('refcount'))).toEqual([
      'F08-epoll-close-during-replace.rfc-v7.refcount.2.trace.json',
      'F08-epoll-close-during-replace.rfc-v7.refcount.trace.json',
    ]);
    const a = JSON.parse(readFileSync(join(dir, files.find((f) => f.endsWith('refcount.trace.json'))!), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, files.find((f) => f.endsWith('refcount.2.trace.json'))!), 'utf8'));
    expect(a.path).not.toBe(b.path);
  });
});

describe('11: the small ones', () => {
  it('parse --help exits 0; variants refuses unknown flags; the unknown-command hint lists every command', () => {
    const h = fdrace('parse', '--help');
    expect([h.code, h.out.split('\n')[0]]).toEqual([0, 'usage: fdrace parse FILE.fdr']);
    expect(fdrace('variants', '--frob')).toMatchObject({ code: 2, err: "fdrace: unknown option '--frob' (known: --faults, --help)\n" });
    expect(fdrace('variants', 'extra').code).toBe(2);
    expect(fdrace('variants').code).toBe(0);
    const u = fdrace('frobnicate');
    expect([u.code, u.err]).toEqual([2, "fdrace: unknown command 'frobnicate' (commands: check, ci, merge, verdicts, view, replay, parse, variants, help)\n"]);
    expect(fdrace('chek').err).toContain("unknown command 'chek' (did you mean 'check'?)");
  });
  it('view refuses a string "format" with a precise message (before serving anything)', () => {
    const bad = join(tmp, 'fmt.json');
    writeFileSync(bad, '{"format": "1", "tool": "fdrace"}');
    const r = fdrace('view', bad, '--no-open', '--port', '0');
    expect([r.code, r.err.trim()]).toEqual([
      2,
      `fdrace: ${bad}:1:12: not a valid trace: format: "format" must be the number 1, not the string "1" (write "format": 1)`,
    ]);
  });
});
