// The repository must stand alone: comments and docs cite the kernel source or docs/model.md, never a document
// outside the repository, and every `§` citation names a section docs/model.md really has. docs/model.md in turn
// must cover what the code defines (every step label, toggle, preset and invariant), so the two cannot drift.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOGGLES, VARIANTS } from '../checker/variants.ts';
import { Step } from '../model/steps.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const SCANNED = ['README.md', 'bin', 'bench', 'checker', 'docs', 'model', 'scenarios', 'test', 'web'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'test-output', '.git']);
const EXTENSIONS = /\.(ts|mts|mjs|js|md|fdr|json|html|css|pml|sh)$/;
const SELF = 'test/docs-citations.test.ts';

function files(path: string): string[] {
  const abs = join(ROOT, path);
  if (!statSync(abs).isDirectory()) return [path];
  return readdirSync(abs).flatMap((name) => {
    if (SKIP_DIRS.has(name)) return [];
    const rel = join(path, name);
    return statSync(join(ROOT, rel)).isDirectory() ? files(rel) : EXTENSIONS.test(name) ? [rel] : [];
  });
}

/** Citations of documents that exist only outside the repository, and the old "spec X.Y" section style. */
const OUTSIDE: { what: string; re: RegExp }[] = [
  { what: '../shared', re: /\.\.\/shared\b/ },
  { what: 'shared/ documents', re: /\bshared\/(?:spec|notes|research|context|hooks)\b/ },
  { what: 'DESIGN.md', re: /\bDESIGN\.md\b/ },
  { what: 'kernel-model.md', re: /\bkernel-model\b/ },
  { what: 'a "spec" section (cite docs/model.md §X)', re: /\b[Ss]pec(?:\s+section)?\s+(?:[A-G]\.\d+(?:\.\d+)*|E\d+|[A-G](?![\w.]))/ },
  { what: 'a "spec §" section (cite docs/model.md §X)', re: /\b[Ss]pec\s+§/ },
];

function outsideCitations(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const o = OUTSIDE.find((x) => x.re.test(line));
    if (o) out.push(`${i + 1}: ${o.what}: ${line.trim().slice(0, 120)}`);
  });
  return out;
}

/** Section ids of docs/model.md: the id that starts a `##`..`####` heading ("B.2.2", "E4", "F.13", "0.1"). */
function sectionIds(markdown: string): string[] {
  const ids: string[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^#{2,4} (E\d+|[0A-H](?:\.\d+)*)(?:\.|\s)/.exec(line);
    if (m) ids.push(m[1]!);
  }
  return ids;
}

/** Every `§X` citation in a text, with its line. */
function citations(text: string): { id: string; line: number }[] {
  const out: { id: string; line: number }[] = [];
  text.split('\n').forEach((line, i) => {
    // The whole token after §, so that "§F.8a" is the unknown "F.8a", not a citation of §F.
    for (const m of line.matchAll(/§([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)/g)) out.push({ id: m[1]!, line: i + 1 });
  });
  return out;
}

const MODEL = readFileSync(join(ROOT, 'docs/model.md'), 'utf8');
const IDS = sectionIds(MODEL);
const SCANNED_FILES = SCANNED.flatMap(files).filter((f) => f !== SELF);

describe('the checks themselves', () => {
  it('flag citations of documents outside the repository and old spec sections, not ordinary words', () => {
    expect(outsideCitations('// see ../shared/spec/kernel-model.md B.2.2')).toHaveLength(1);
    expect(outsideCitations('// exit codes (DESIGN.md)\n// spec F.13\n# Spec F.7. two fds\n// spec E16\n// (spec C.1 v2)')).toHaveLength(5);
    expect(outsideCitations('// spec section E\n// spec §B.3')).toHaveLength(2);
    expect(outsideCitations('/** Resolve a variant spec (PRESET, or PRESET~TOGGLE) */\nconst spec = 1;\n// docs/model.md §F.13')).toEqual([]);
  });

  it('read section ids from headings and citations from text', () => {
    expect(sectionIds('## A. Objects\n### A.1 files\n#### B.2.2 epoll_ctl\n### E4 refcount\n### E.0 table\n## 0. Conv\n# Title\nA.2 text')).toEqual([
      'A',
      'A.1',
      'B.2.2',
      'E4',
      'E.0',
      '0',
    ]);
    expect(citations('docs/model.md §B.2.2, §E4 and §F.13.\n(§D.4.5; §B.1-§B.3, §F.8a)').map((c) => c.id)).toEqual([
      'B.2.2',
      'E4',
      'F.13',
      'D.4.5',
      'B.1',
      'B.3',
      'F.8a',
    ]);
  });
});

describe('citations', () => {
  it('no file cites a document outside the repository', () => {
    const bad = SCANNED_FILES.flatMap((f) => outsideCitations(readFileSync(join(ROOT, f), 'utf8')).map((l) => `${f}:${l}`));
    expect(bad).toEqual([]);
  });

  it('every § citation names a section of docs/model.md', () => {
    const known = new Set(IDS);
    const bad = SCANNED_FILES.flatMap((f) => citations(readFileSync(join(ROOT, f), 'utf8')).map((c) => ({ f, ...c })))
      .filter((c) => !known.has(c.id))
      .map((c) => `${c.f}:${c.line}: §${c.id}`);
    expect(bad).toEqual([]);
  });

  it('docs/model.md is among the files checked', () => {
    expect(SCANNED_FILES).toContain('docs/model.md');
  });

  it('the code cites docs/model.md, and the README links it', () => {
    const citing = SCANNED_FILES.filter((f) => /docs\/model\.md §/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(citing.filter((f) => f.startsWith('model/')).length).toBeGreaterThan(5);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/\]\(docs\/model\.md\)/);
  });
});

describe('docs/model.md covers the model', () => {
  it('has unique section ids', () => {
    const dup = IDS.filter((id, i) => IDS.indexOf(id) !== i);
    expect(dup).toEqual([]);
  });

  it('has a section for every invariant E1-E21 and every scenario F.1-F.20', () => {
    const want = [...Array.from({ length: 21 }, (_, i) => `E${i + 1}`), ...Array.from({ length: 20 }, (_, i) => `F.${i + 1}`)];
    expect(want.filter((id) => !IDS.includes(id))).toEqual([]);
  });

  it('names every step label, toggle and preset the code defines', () => {
    const words = new Set(MODEL.match(/[A-Za-z0-9_]+/g) ?? []);
    const steps = Object.keys(Step).filter((k) => Number.isNaN(Number(k)) && k !== 'None');
    expect(steps.filter((s) => !words.has(s))).toEqual([]);
    const table = MODEL.slice(MODEL.indexOf('### C.0'), MODEL.indexOf('### C.1'));
    const missing = [...TOGGLES.map((t) => t.name), ...VARIANTS.map((v) => v.name)].filter((n) => !table.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('scenario files exist for the scenarios it describes', () => {
    const fdr = files('scenarios').map((f) => relative('scenarios', f));
    for (let i = 1; i <= 20; i++) expect(fdr.some((f) => f.startsWith(`F${String(i).padStart(2, '0')}-`))).toBe(true);
    for (const h of ['4ff36ee94d93', 'a9ed4a6560b8', '4efaa5acf0a1']) expect(fdr.some((f) => f.includes(h) && MODEL.includes(f))).toBe(true);
  });
});
