// `fdrace ci` reports and `fdrace verdicts`, run as CI runs them: the real command on the real scenarios, and on
// temp copies whose stated results were flipped. JUnit XML must parse with the right counts; SARIF must validate
// against the official SARIF 2.1.0 schema (shipped by @microsoft/jest-sarif) and point at the flipped line;
// verdicts --check must pass on a fresh generation and name the first edited line.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { readScenario, scenarioPaths } from '../checker/load.ts';
import { orderVariants } from '../checker/report/table.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'fdrace-reports-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fdrace(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/fdrace.mjs', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

// The schema as published with Microsoft's SARIF SDK (2.1.0-rtm.5, draft-04). Its `language` pattern is not a
// valid /u regular expression, hence unicodeRegExp: false; strict: false because the schema predates Ajv's
// strict-mode keyword rules (it does not relax validation of the data).
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// Both packages are CommonJS modules whose exports object is also their default export.
const Ajv04 = ajvDraft04.default;
const addFormats = ajvFormats.default;
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(SCHEMA);

function expectValidSarif(log: unknown): void {
  const ok = validateSarif(log);
  expect(validateSarif.errors ?? [], 'SARIF schema errors').toEqual([]);
  expect(ok).toBe(true);
}

interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } } }[];
  properties: Record<string, unknown>;
  codeFlows?: { threadFlows: { id: string; locations: { executionOrder: number }[] }[] }[];
}

function sarifResults(file: string): SarifResult[] {
  const log = JSON.parse(readFileSync(file, 'utf8'));
  expectValidSarif(log);
  expect(log.runs).toHaveLength(1);
  expect(log.runs[0].tool.driver.name).toBe('fdrace');
  return log.runs[0].results as SarifResult[];
}

/** The file a SARIF result points at, as an absolute path. */
function sarifFile(r: SarifResult): string {
  const a = r.locations[0]!.physicalLocation.artifactLocation;
  return a.uri.startsWith('file:') ? fileURLToPath(a.uri) : resolve(ROOT, decodeURIComponent(a.uri));
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function parseJunit(file: string): { suites: Record<string, unknown>[]; root: Record<string, unknown> } {
  const xml = readFileSync(file, 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const root = doc.testsuites as Record<string, unknown>;
  return { root, suites: asArray(root.testsuite as Record<string, unknown> | Record<string, unknown>[]) };
}

const SCENARIOS = scenarioPaths([join(ROOT, 'scenarios')]);

/** The scenario text with its first `result` line contradicted: pass becomes violation, anything else pass. */
function flip(file: string): { text: string; line: number; variant: string; stated: string } {
  const s = readScenario(file);
  const res = s.results[0]!;
  const lines = readFileSync(file, 'utf8').split('\n');
  const stated = res.verdict === 'pass' ? 'violation' : 'pass';
  lines[res.loc.line - 1] = `result ${res.variant} ${stated}`;
  return { text: lines.join('\n'), line: res.loc.line, variant: res.variant, stated };
}

describe('fdrace ci on the bundled scenarios', () => {
  it('exits 0, prints the summary table, and writes a JUnit file without failures and a valid SARIF log', () => {
    const junit = join(tmp, 'real', 'junit.xml');
    const sarif = join(tmp, 'real', 'ci.sarif');
    const r = fdrace('ci', 'scenarios/', '--junit', junit, '--sarif', sarif);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const table = r.out.slice(r.out.indexOf('\nscenario '));
    const header = table.split('\n')[1]!.split(/\s{2,}/);
    const variants = orderVariants(SCENARIOS.flatMap((f) => readScenario(f).variants));
    expect(header).toEqual(['scenario', ...variants]);
    for (const f of SCENARIOS) {
      const row = table.split('\n').find((l) => l.startsWith(`${readScenario(f).name} `));
      expect(row, readScenario(f).name).toBeDefined();
      expect(row).toContain('✓');
      expect(row).not.toContain('✗');
    }

    const { root, suites } = parseJunit(junit);
    expect(suites).toHaveLength(SCENARIOS.length);
    for (const suite of suites) {
      const props = asArray((suite.properties as { property: { name: string; value: string }[] }).property);
      expect(props.find((p) => p.name === 'file')?.value).toBe(suite.file);
      expect(readScenario(resolve(ROOT, String(suite.file))).name).toBe(suite.name);
    }
    expect(Number(root.failures)).toBe(0);
    expect(Number(root.tests)).toBe(SCENARIOS.reduce((n, f) => n + readScenario(f).variants.length, 0));

    const results = sarifResults(sarif);
    // The schema is not vacuous: the same log with a level SARIF does not define is rejected.
    const broken = JSON.parse(readFileSync(sarif, 'utf8'));
    broken.runs[0].results[0].level = 'fatal';
    expect(validateSarif(broken)).toBe(false);
    expect(results.filter((x) => x.level === 'error')).toEqual([]);
    const notes = results.filter((x) => x.level === 'note');
    expect(notes.length).toBeGreaterThan(0);
    for (const n of notes) {
      expect(n.locations[0]!.physicalLocation.artifactLocation).toMatchObject({ uriBaseId: 'SRCROOT', uri: expect.stringMatching(/^scenarios\/.*\.fdr$/) });
      expect(typeof n.properties.path).toBe('string');
    }
    // Each violation is located at the line that states the property (its `expect` or `check` line, else the
    // variant's `result` line); a replayed one carries the interleaving: threadFlows whose steps, merged by
    // executionOrder, are 1..steps, each in a thread the scenario declares.
    let flows = 0;
    for (const n of [...notes, ...results.filter((x) => x.level === 'warning')]) {
      const file = sarifFile(n);
      const s = readScenario(file);
      const at = n.locations[0]!.physicalLocation.region.startLine;
      const line = readFileSync(file, 'utf8').split('\n')[at - 1]!;
      const prop = String(n.properties.property);
      const e = s.expectations.find((x) => x.label === prop);
      const c = s.checks.find((x) => x.name === prop);
      const stated = e ? ['expect', e.loc.line] : c ? ['check', c.loc.line] : ['result', s.results.find((x) => x.variant === n.properties.variant)!.loc.line];
      expect([line.split(' ')[0], at], `${prop} in ${file}`).toEqual(stated);
      for (const cf of n.codeFlows ?? []) {
        flows++;
        const threads = s.threads.map((t) => t.name);
        for (const tf of cf.threadFlows) expect(threads).toContain(tf.id);
        const order = cf.threadFlows.flatMap((tf) => tf.locations.map((l) => l.executionOrder)).sort((a, b) => a - b);
        expect(order).toEqual(Array.from({ length: Number(n.properties.steps) }, (_, i) => i + 1));
      }
    }
    expect(flows).toBeGreaterThan(0);
  });
});

describe('fdrace ci with a flipped result line', () => {
  it('each scenario file, with its first result contradicted, fails naming that scenario and the line', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(3);
    for (const [i, file] of SCENARIOS.entries()) {
      const f = flip(file);
      const copy = join(tmp, `flip-${i}`, basename(file));
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, f.text);
      const sarif = join(tmp, `flip-${i}.sarif`);
      const r = fdrace('ci', copy, '--sarif', sarif);
      const name = readScenario(file).name;
      expect(r.code, `${file}: ${r.out}${r.err}`).toBe(10);
      expect(r.out).toContain(`FAIL ${name}`);
      expect(r.out).toContain(`mismatch: ${name} [${f.variant}]: expected ${f.stated}, got `);
      expect(r.out).toContain(`(${copy}:${f.line})`);
      const errors = sarifResults(sarif).filter((x) => x.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.ruleId).toBe('result-mismatch');
      expect(sarifFile(errors[0]!)).toBe(copy);
      expect(errors[0]!.locations[0]!.physicalLocation.region.startLine).toBe(f.line);
      expect(errors[0]!.message.text).toContain(`expected ${f.stated}, got`);
    }
  }, 900_000);

  it('three flips in a copy of scenarios/: exit 10, exactly those named; JUnit and SARIF count and locate them', () => {
    const dir = join(tmp, 'copy');
    cpSync(join(ROOT, 'scenarios'), dir, { recursive: true });
    const copies = scenarioPaths([dir]);
    const picked = [...new Set([0, Math.floor(copies.length / 2), copies.length - 1])].map((k) => copies[k]!);
    expect(picked).toHaveLength(3);
    const flips = new Map(
      picked.map((file) => {
        const f = flip(file);
        writeFileSync(file, f.text);
        return [file, f] as const;
      }),
    );
    const junit = join(tmp, 'copy.junit.xml');
    const sarif = join(tmp, 'copy.sarif');
    const r = fdrace('ci', dir, '--junit', junit, '--sarif', sarif);
    expect(r.code).toBe(10);
    const named = r.out
      .split('\n')
      .filter((l) => l.startsWith('  mismatch: '))
      .map((l) => l.slice(12, l.indexOf(' [')));
    expect(named.sort()).toEqual(picked.map((f) => readScenario(f).name).sort());
    expect(r.out.split('\n').filter((l) => l.includes('✗') && !l.startsWith('✓ outcome'))).toHaveLength(3);

    const { root, suites } = parseJunit(junit);
    expect(suites).toHaveLength(copies.length);
    expect(Number(root.tests)).toBe(copies.reduce((n, f) => n + readScenario(f).variants.length, 0));
    expect(Number(root.failures)).toBe(3);
    expect(Number(root.errors)).toBe(0);
    let failures = 0;
    for (const suite of suites) {
      const cases = asArray(suite.testcase as Record<string, unknown> | Record<string, unknown>[]);
      expect(Number(suite.tests)).toBe(cases.length);
      const failed = cases.filter((c) => c.failure !== undefined);
      expect(Number(suite.failures)).toBe(failed.length);
      failures += failed.length;
      for (const c of failed) {
        const file = resolve(ROOT, String(suite.file));
        const f = flips.get(file)!;
        expect(f, `unexpected failure in ${String(suite.file)}`).toBeDefined();
        expect(c.name).toBe(f.variant);
        expect(Number(c.line)).toBe(f.line);
        const failure = c.failure as Record<string, string>;
        expect(failure.message).toMatch(new RegExp(`^expected ${f.stated}, got (pass|violation|deadlock)`));
        if (f.stated === 'pass') expect(failure['#text']).toMatch(/counterexample .*: path |lock-order: /);
        const props = asArray((c.properties as { property: { name: string; value: string }[] }).property);
        expect(props.find((p) => p.name === 'expected')?.value).toBe(f.stated);
        expect(Number(c.time)).toBeGreaterThanOrEqual(0);
      }
    }
    expect(failures).toBe(3);

    const errors = sarifResults(sarif).filter((x) => x.level === 'error');
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      const f = flips.get(sarifFile(e));
      expect(f, `SARIF error points at ${sarifFile(e)}`).toBeDefined();
      expect(e.locations[0]!.physicalLocation.region.startLine).toBe(f!.line);
      expect(readFileSync(sarifFile(e), 'utf8').split('\n')[f!.line - 1]).toBe(`result ${f!.variant} ${f!.stated}`);
    }
  }, 300_000);

  it('a malformed scenario: exit 2 with file:line:col, a JUnit error and a SARIF error at that line', () => {
    const junit = join(tmp, 'bad.junit.xml');
    const sarif = join(tmp, 'bad.sarif');
    const r = fdrace('ci', 'test/fixtures/malformed.fdr', 'scenarios/F01-replace-5-of-10.fdr', '--junit', junit, '--sarif', sarif);
    expect(r.code).toBe(2);
    expect(r.out).toContain("test/fixtures/malformed.fdr:7:10: error: unknown file 'NEWW'");
    const { root } = parseJunit(junit);
    expect(Number(root.errors)).toBe(1);
    expect(Number(root.failures)).toBe(0);
    const err = sarifResults(sarif).filter((x) => x.level === 'error');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ ruleId: 'scenario-error' });
    expect(err[0]!.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'test/fixtures/malformed.fdr' },
      region: { startLine: 7, startColumn: 10 },
    });
  });
});

describe('fdrace verdicts', () => {
  it('orders variants: the designs first, then the rest by name', () => {
    expect(orderVariants(['zz', 'userspace', 'v6.2~x', 'rfc-v7', 'current', 'v6.2', 'userspace-frozen', 'current-pre-6.16', 'rfc-v4'])).toEqual([
      'v6.2',
      'current',
      'current-pre-6.16',
      'rfc-v4',
      'rfc-v7',
      'userspace',
      'userspace-frozen',
      'v6.2~x',
      'zz',
    ]);
  });

  it('writes the table and its traces; --check passes on a fresh generation, names the first edited line and a missing trace', () => {
    const out = join(tmp, 'v1', 'verdicts.md');
    const w = fdrace('verdicts', 'scenarios/', '--out', out);
    expect(w.err).toBe('');
    expect(w.code).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).not.toMatch(/\d+ states|\d+\.\d+ s\b|\d{4}-\d\d-\d\d/); // no timings, counts or dates
    const traces = readdirSync(join(tmp, 'v1', 'traces')).sort();

    // Columns: every variant any scenario names, in order; each scenario a group ending in a verdict row.
    const lines = md.split('\n');
    const header = lines.find((l) => l.startsWith('| scenario | property |'))!;
    const variants = orderVariants(SCENARIOS.flatMap((f) => readScenario(f).variants));
    expect(header).toBe(`| scenario | property | ${variants.map((v) => `\`${v}\``).join(' | ')} |`);
    expect(lines.filter((l) => l.startsWith('|  | verdict |') || /^\| \[.*\| verdict \|/.test(l))).toHaveLength(SCENARIOS.length);
    // Every linked trace exists, and every trace is linked.
    const links = [...md.matchAll(/\]\((traces\/[^)]+)\)/g)].map((m) => decodeURI(m[1]!));
    expect(links.length).toBeGreaterThan(0);
    expect([...new Set(links)].map((l) => l.slice('traces/'.length)).sort()).toEqual(traces);
    for (const t of traces) {
      const text = readFileSync(join(tmp, 'v1', 'traces', t), 'utf8');
      const [scenario, property] = [t.slice(0, t.indexOf('.')), t.slice(t.lastIndexOf('.', t.length - 5) + 1, -4)];
      expect(text).toMatch(new RegExp(`^fdrace counterexample: ${scenario} on .*, property ${property} `));
      // A replayed trace ends in the violation; a lock-order inversion is a splat; a `sometimes` says why.
      expect(text).toMatch(/\n=> (VIOLATION|DEADLOCK) |circular locking dependency detected|no counterexample path/);
    }

    // A fresh run gives the same bytes for the table and every trace.
    const ok = fdrace('verdicts', 'scenarios/', '--out', out, '--check');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('up to date');

    const n = lines.findIndex((l) => l.includes('| pass |'));
    expect(n).toBeGreaterThan(0);
    const edited = [...lines];
    edited[n] = edited[n]!.replace('| pass |', '| violation |');
    writeFileSync(out, edited.join('\n'));
    const bad = fdrace('verdicts', 'scenarios/', '--out', out, '--check');
    expect(bad.code).toBe(10);
    expect(bad.err).toContain(`verdicts.md:${n + 1}: differs from a fresh run`);
    expect(bad.err).toContain(`fresh:   ${lines[n]}`);

    // A stale or missing trace is a difference too.
    writeFileSync(out, md);
    rmSync(join(tmp, 'v1', 'traces', traces[0]!));
    const missing = fdrace('verdicts', 'scenarios/', '--out', out, '--check');
    expect(missing.code).toBe(10);
    expect(missing.err).toContain(`${traces[0]}: missing`);
  }, 300_000);
});
