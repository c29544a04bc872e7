// Shards as separate processes, as a batch engine runs them: n = 1, 2, 3 shards of a library scenario and of
// bench/medium.fdr, each `fdrace check --shard i/n --json --state-hashes H` in a process of its own, then
// `fdrace merge`: the merged verdict and the number of distinct states (the union of the shards' state hashes) are
// the unsharded run's; a missing shard makes the merge incomplete (exit 12). Then merge's refusals (exit 2): other
// questions, hostile JSON, a shard given twice; and swarm members as separate jobs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../checker/cli/main.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'fdrace.mjs');

function fdrace(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const lastJson = (s: string) => JSON.parse(s.trim().split('\n').pop()!);

/** The CLI in this process (no process start-up): exit code and what it printed. */
async function inProcess(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === '') delete process.env[k];
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

interface Case {
  name: string;
  args: string[];
  /** Options for the shards only. */
  shardArgs: string[];
  states: number;
  verdict: string;
  code: number;
}

const CASES: Case[] = [
  // A library scenario with violations; a small frontier factor so that 3 shards still cut.
  {
    name: 'F07 rfc-v4',
    args: ['scenarios/F07-replace-vs-add.fdr', '--variant', 'rfc-v4', '--no-symmetry'],
    shardArgs: ['--shard-frontier', '4'],
    states: 6191,
    verdict: 'violation',
    code: 10,
  },
  {
    name: 'bench/medium.fdr',
    args: ['bench/medium.fdr', '--variant', 'v6.2', '--storage', 'fingerprint'],
    shardArgs: [],
    states: 174168,
    verdict: 'pass',
    code: 0,
  },
];

describe('shards as separate processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdrace-shard-cli-'));

  for (const cs of CASES) {
    it(`${cs.name}: n = 1, 2, 3 shards merge to the unsharded verdict and distinct states`, async () => {
      const plain = fdrace(['check', ...cs.args, '--json', '--quiet', '--no-trace']);
      expect(plain.code).toBe(cs.code);
      const p = lastJson(plain.stdout);
      expect([p.verdict, p.stats.states]).toEqual([cs.verdict, cs.states]);
      const tag = cs.name.replace(/\W/g, '_');
      for (const n of [1, 2, 3]) {
        const files: string[] = [];
        for (let i = 0; i < n; i++) {
          const h = join(dir, `${tag}-${n}-${i}.bin`);
          const r = fdrace(['check', ...cs.args, ...cs.shardArgs, '--shard', `${i}/${n}`, '--state-hashes', h, '--json', '--quiet', '--no-trace']);
          expect([n, i, r.stderr]).toEqual([n, i, '']);
          const j = lastJson(r.stdout);
          expect(j.part.shard).toMatchObject({ index: i, count: n });
          expect(j.part.stateHashes.count).toBe(j.stats.states);
          const f = join(dir, `${tag}-${n}-${i}.json`);
          writeFileSync(f, r.stdout);
          files.push(f);
        }
        const m = fdrace(['merge', '--json', ...files]);
        expect([n, m.code, m.stderr]).toEqual([n, cs.code, '']);
        const mj = JSON.parse(m.stdout);
        expect([n, mj.verdict, mj.stats.distinctStates]).toEqual([n, cs.verdict, cs.states]);
        expect(new Set(mj.violations.map((v: { property: string }) => v.property))).toEqual(new Set(p.violations.map((v: { property: string }) => v.property)));
        // Without reduction the merged counterexamples are as short as the unsharded ones, and they replay.
        for (const v of mj.violations) {
          if (v.kind === 'sometimes' || v.kind === 'inversion') continue;
          const u = p.violations.find((w: { property: string }) => w.property === v.property);
          expect([v.property, v.steps]).toEqual([u.property, u.steps]);
          const variant = cs.args[cs.args.indexOf('--variant') + 1]!;
          const rp = await inProcess(['replay', cs.args[0]!, '--variant', variant, '--path', v.path]);
          expect([v.property, rp.code]).toEqual([v.property, 10]);
        }
        expect(mj.stats.overlap).toBe(mj.stats.states - cs.states);
        if (n === 1) expect(mj.stats.overlap).toBe(0);
        // The text form says the same.
        const text = await inProcess(['merge', ...files]);
        expect(text.stdout).toContain(`${new Intl.NumberFormat('en-US').format(cs.states)} distinct states (union of the state hashes)`);
        // bench/medium.fdr: every shard stores almost every state, and merge says what that means.
        if (cs.verdict === 'pass' && n > 1) expect(text.stdout).toMatch(/note: the largest shard stored (9\d|100)\.\d% of the states: interleavings converge/);
        if (n > 1 && cs.verdict === 'pass') {
          const part = await inProcess(['merge', ...files.slice(1)]);
          expect(part.code).toBe(12);
          expect(part.stdout).toContain(`[incomplete: shards 0 of ${n} missing]`);
          expect(JSON.parse((await inProcess(['merge', '--json', ...files.slice(1)])).stdout).verdict).toBe('incomplete');
        }
      }
    }, 120_000);
  }

  it('--shard-from-env takes the index from JOB_COMPLETION_INDEX; bad shard options exit 2', async () => {
    const a = ['check', 'scenarios/F12-release-vs-epoll-close.fdr', '--variant', 'v6.2', '--json', '--quiet'];
    const r = await inProcess([...a, '--shard-from-env', '3'], { JOB_COMPLETION_INDEX: '2' });
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).part.shard).toMatchObject({ index: 2, count: 3 });
    const bad: [string[], Record<string, string>, RegExp][] = [
      [['--shard', '3/3'], {}, /--shard 3\/3: the index must be between 0 and 2 \(shards are numbered from 0/],
      [['--shard', 'x'], {}, /--shard needs INDEX\/COUNT/],
      [['--shard', '0/2', '--strategy', 'dfs'], {}, /cannot be sharded/],
      [['--shard', '0/2', '--swarm', '2'], {}, /contradict/],
      [['--shard-from-env', '2'], { JOB_COMPLETION_INDEX: '', FDRACE_SHARD_INDEX: '', SLURM_ARRAY_TASK_ID: '' }, /none of FDRACE_SHARD_INDEX/],
      [['--shard-from-env', '2'], { JOB_COMPLETION_INDEX: '5' }, /outside 0\.\.1/],
      [['--state-hashes', join(dir, 'x.bin')], {}, /--state-hashes applies to --shard/],
      [['--shard', '0/2', '--storage', 'bitstate', '--state-hashes', join(dir, 'x.bin')], {}, /bitstate storage keeps no hashes/],
      [['--swarm-index', '1'], {}, /--swarm-index needs --swarm/],
      [['--swarm', '2', '--swarm-index', '2'], {}, /members are numbered 0\.\.1/],
      [['--swarm', '2', '--strategy', 'bfs'], {}, /--strategy does not apply to --swarm/],
    ];
    for (const [extra, env, msg] of bad) {
      const b = await inProcess([...a, ...extra], env);
      expect([extra, b.code]).toEqual([extra, 2]);
      expect(b.stderr).toMatch(msg);
      expect(b.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  }, 60_000);

  it('merge refuses other questions, hostile JSON and a shard given twice (exit 2, located)', async () => {
    const shard = async (variant: string, i: number, n: number) => {
      const r = await inProcess(['check', 'scenarios/F12-release-vs-epoll-close.fdr', '--variant', variant, '--shard', `${i}/${n}`, '--json', '--quiet']);
      const f = join(dir, `q-${variant}-${i}-${n}.json`);
      writeFileSync(f, r.stdout);
      return f;
    };
    const a0 = await shard('v6.2', 0, 2);
    const b1 = await shard('current', 1, 2);
    const c1 = await shard('v6.2', 1, 3);
    let r = await inProcess(['merge', a0, b1]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /answers a different question than .*q-v6\.2-0-2\.json:1 \(F12-release-vs-epoll-close \[current\], shard 1\/2 vs F12-release-vs-epoll-close \[v6\.2\], shard 0\/2\)/,
    );
    r = await inProcess(['merge', a0, c1]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/different question/)]);
    r = await inProcess(['merge', a0, a0]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/shard 0 is given twice/)]);
    const good = JSON.parse(readFileSync(a0, 'utf8'));
    const hostile: [string, RegExp][] = [
      ['{"part": ', /:1:1: not JSON/],
      ['[1,2]', /:1:1: not a JSON object/],
      [JSON.stringify({ ...good, part: undefined }), /no 'part'/],
      [JSON.stringify({ ...good, part: { ...good.part, format: 99 } }), /part format 99/],
      [JSON.stringify({ ...good, part: { ...good.part, shard: { ...good.part.shard, index: 5 } } }), /index and count/],
      [JSON.stringify({ ...good, verdict: 'maybe' }), /verdict "maybe"/],
      [JSON.stringify({ ...good, stats: { ...good.stats, states: -1 } }), /stats\.states/],
      [JSON.stringify({ ...good, violations: [{ property: 'p', kind: 'k', message: 'm', path: '0.1;rm -rf', steps: 2 }] }), /violations\[0\]\.path/],
      [JSON.stringify({ ...good, part: { ...good.part, lockEdges: [{ from: 99 }] } }), /lockEdges/],
      [`\n\n${JSON.stringify({ ...good, part: { ...good.part, question: 'x' } })}`, /:3:1: part\.question/],
      [
        JSON.stringify({
          ...good,
          part: {
            ...good.part,
            lockEdges: Array.from({ length: 34 * 33 }, (_, k) => ({
              from: Math.floor(k / 33),
              to: (Math.floor(k / 33) + 1 + (k % 33)) % 34,
              gated: false,
              thread: 'T',
              fn: 'f',
              file: 'x.c',
              text: 't',
            })),
          },
        }),
        /1122 distinct lock-order edges, more than merge analyses/,
      ],
    ];
    for (const [text, msg] of hostile) {
      const f = join(dir, 'hostile.json');
      writeFileSync(f, text);
      const h = await inProcess(['merge', f]);
      expect([text.slice(0, 30), h.code]).toEqual([text.slice(0, 30), 2]);
      expect(h.stderr).toMatch(msg);
      expect(h.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await inProcess(['merge', join(dir, 'nope.json')])).stderr).toMatch(/no such file/);
    expect((await inProcess(['merge'])).code).toBe(2);
  }, 60_000);

  it('a swarm finds a known violation, and without one is incomplete, never pass (in one process and as separate members)', async () => {
    const f07 = await inProcess(['check', 'scenarios/F07-replace-vs-add.fdr', '--variant', 'v6.2', '--swarm', '3', '--json', '--quiet']);
    expect(f07.code).toBe(10);
    const m = lastJson(f07.stdout);
    expect(m.merged).toMatchObject({ kind: 'swarm', count: 3, present: [0, 1, 2], missing: [] });
    expect(m.violations.map((v: { property: string }) => v.property).sort()).toEqual(['follows', 'stale-registration']);
    const files: string[] = [];
    for (let j = 0; j < 3; j++) {
      const r = fdrace([
        'check',
        'scenarios/F12-release-vs-epoll-close.fdr',
        '--variant',
        'v6.2',
        '--swarm',
        '3',
        '--swarm-index',
        String(j),
        '--json',
        '--quiet',
      ]);
      expect([j, r.code]).toEqual([j, 12]);
      const j1 = lastJson(r.stdout);
      expect(j1.verdict).toBe('incomplete');
      expect(j1.incomplete).toMatch(new RegExp(`^swarm member ${j} of 3 \\(.*\\): a bounded, diversified search, not a proof`));
      const f = join(dir, `swarm-${j}.json`);
      writeFileSync(f, r.stdout);
      files.push(f);
    }
    const merged = await inProcess(['merge', ...files]);
    expect(merged.code).toBe(12);
    expect(merged.stdout).toMatch(/INCOMPLETE \[incomplete: swarm verification \(3 of 3 members\): bounded, diversified searches, not a proof\]/);
    expect(merged.stdout).toMatch(/member 1 \(random walks, seeds 200\.\.399\)/);
  }, 60_000);
});
