// The ready-to-use definitions in deploy/, tested as far as this machine allows: no cluster, no GitHub runner, no
// Slurm here, so each definition is parsed (YAML through PyYAML), checked for what makes it work (the index
// variable, the shard count equal to the engine's count, exit codes 10/11/12 kept as results), and its shard
// command is run locally for every index exactly as the engine would run it, then merged. The xargs recipe runs
// as it is.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'fdrace.mjs');
const SCENARIO = join(root, 'scenarios', 'F07-replace-vs-add.fdr');
const VARIANT = 'rfc-v4';

const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, navigated by the test's own expectations
function yamlDocs(file: string): Record<string, any>[] {
  const out = execFileSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))', file], {
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

function sh(script: string, cwd: string, env: Record<string, string>, shell = 'sh'): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(shell, ['-c', script], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The unsharded verdict and state count of the test scenario. */
function unsharded(): { verdict: string; states: number } {
  const r = spawnSync(process.execPath, [bin, 'check', SCENARIO, '--variant', VARIANT, '--storage', 'fingerprint', '--json', '--quiet'], {
    cwd: root,
    encoding: 'utf8',
  });
  const j = JSON.parse(r.stdout.trim());
  return { verdict: j.verdict, states: j.stats.states };
}

function merged(dir: string): { code: number; verdict: string; distinct: number } {
  const r = sh(`node "${bin}" merge --json "${dir}"/shard-*.json`, root, {});
  const j = JSON.parse(r.stdout);
  return { code: r.code, verdict: j.verdict, distinct: j.stats.distinctStates };
}

describe('deploy/ definitions', () => {
  const want = unsharded();
  const wantCode = want.verdict === 'violation' ? 10 : 0;

  it.skipIf(!hasPyYaml)(
    'Kubernetes Indexed Job: index from JOB_COMPLETION_INDEX, SHARDS = completions, the pod command runs and merges',
    () => {
      const docs = yamlDocs(join(root, 'deploy', 'kubernetes', 'indexed-job.yaml'));
      const job = docs.find((d) => d.kind === 'Job')!;
      const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;
      expect(job.apiVersion).toBe('batch/v1');
      expect(job.spec.completionMode).toBe('Indexed');
      const c = job.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(Number(env.SHARDS)).toBe(job.spec.completions);
      expect(job.spec.template.spec.restartPolicy).toBe('Never'); // required by podFailurePolicy
      expect(job.spec.podFailurePolicy.rules[0]).toMatchObject({ action: 'FailJob', onExitCodes: { containerName: c.name, operator: 'In', values: [2] } });
      expect(c.command).toEqual(['sh', '-c']);
      const script: string = c.args[0];
      expect(script).toMatch(/--shard-from-env "\$SHARDS"/);
      expect(script).toMatch(/\$JOB_COMPLETION_INDEX/);
      const mounts = Object.fromEntries(c.volumeMounts.map((m: { name: string; mountPath: string }) => [m.name, m.mountPath]));
      const vols = job.spec.template.spec.volumes;
      expect(vols.find((v: { name: string }) => v.name === 'results').persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
      expect(mounts.results).toBe('/results');
      expect(env.SCENARIO.startsWith(`${mounts.scenario}/`)).toBe(true);
      const mergeJob = yamlDocs(join(root, 'deploy', 'kubernetes', 'merge-job.yaml'))[0]!;
      expect(mergeJob.spec.template.spec.containers[0].args[0]).toBe('node bin/fdrace.mjs merge /results/shard-*.json');

      // Run the pod's script for each index as the Job controller would (3 shards here, same script), the shared
      // volume being a temporary directory.
      const dir = mkdtempSync(join(tmpdir(), 'fdrace-k8s-'));
      const local = script.replaceAll('/results/', `${dir}/`);
      for (let i = 0; i < 3; i++) {
        const r = sh(local, root, { JOB_COMPLETION_INDEX: String(i), SHARDS: '3', SCENARIO, VARIANT });
        expect([i, r.code, r.stderr]).toEqual([i, 0, '']); // a violation is a result, not a failed pod
      }
      expect(merged(dir)).toEqual({ code: wantCode, verdict: want.verdict, distinct: want.states });
    },
    60_000,
  );

  it.skipIf(!hasPyYaml)(
    'GitHub Actions matrix: the matrix is 0..SHARDS-1, each shard step runs, the merge step merges',
    () => {
      const wf = yamlDocs(join(root, 'deploy', 'github-actions', 'fdrace-shards.yml'))[0]!;
      const shards = Number(wf.env.SHARDS);
      expect(wf.jobs.shard.strategy.matrix.shard).toEqual(Array.from({ length: shards }, (_, i) => i));
      expect(wf.jobs.shard.strategy['fail-fast']).toBe(false);
      expect(wf.jobs.merge.needs).toBe('shard');
      const step = wf.jobs.shard.steps.find((s: { run?: string }) => s.run?.includes('--shard'));
      const mergeStep = wf.jobs.merge.steps.find((s: { run?: string }) => s.run?.includes(' merge '));
      const upload = wf.jobs.shard.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact'));
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
      expect(upload.with.path).toContain('shard-${{ matrix.shard }}.json');
      const dir = mkdtempSync(join(tmpdir(), 'fdrace-gha-'));
      symlinkSync(join(root, 'bin'), join(dir, 'bin'));
      for (let i = 0; i < shards; i++) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
        const r = sh(step.run.replaceAll('${{ matrix.shard }}', String(i)), dir, { SHARDS: String(shards), SCENARIO, VARIANT }, 'bash');
        expect([i, r.code, r.stderr]).toEqual([i, 0, '']);
      }
      const m = sh(mergeStep.run, dir, {}, 'bash');
      expect(m.code).toBe(wantCode);
      expect(m.stdout).toContain(`merged ${shards} of ${shards} shards`);
      expect(m.stdout).toContain(`${new Intl.NumberFormat('en-US').format(want.states)} distinct states`);
    },
    60_000,
  );

  it('xargs -P recipe (deploy/local/shards.sh) runs 3 shards 2 at a time and merges', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdrace-xargs-'));
    const r = spawnSync(join(root, 'deploy', 'local', 'shards.sh'), [SCENARIO, '3', '2', '--variant', VARIANT, '--storage', 'fingerprint'], {
      cwd: root,
      env: { ...process.env, FDRACE_OUT: dir },
      encoding: 'utf8',
    });
    expect([r.status, r.stderr]).toEqual([wantCode, '']);
    expect(r.stdout).toContain('merged 3 of 3 shards');
    expect(r.stdout).toContain(`${new Intl.NumberFormat('en-US').format(want.states)} distinct states`);
    const bad = spawnSync(join(root, 'deploy', 'local', 'shards.sh'), [SCENARIO], { cwd: root, encoding: 'utf8' });
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/^usage: /)]);
  }, 60_000);

  it('Slurm array: the array range is 0..SHARDS-1 and the script parses', () => {
    const f = join(root, 'deploy', 'slurm', 'shards.sbatch');
    const text = readFileSync(f, 'utf8');
    const shards = Number(/^SHARDS=(\d+)$/m.exec(text)![1]);
    expect(/^#SBATCH --array=0-(\d+)$/m.exec(text)![1]).toBe(String(shards - 1));
    expect(text).toMatch(/--shard-from-env "\$SHARDS"/);
    expect(spawnSync('sh', ['-n', f]).status).toBe(0);
  });
});
