// New OpKind and Routine members for `npm run ops`: a descriptor names its op's OpKind and its routines as enum
// members (OpKind.NewSyscall, Routine.NewSyscall) before model/codes.ts has them; this appends each missing one to
// its enum with the next number after the highest there. Existing members are never renumbered: the numbers are in
// states, configuration blocks and saved traces.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
export const CODES_FILE = join(ROOT, 'model', 'codes.ts');
const OPS_DIR = join(ROOT, 'model', 'ops');
const MEMBER = /^ {2}(\w+) = (\d+),$/;

/** The enum members `Enum.NAME` the sources name, in order of first mention. */
export function mentioned(sources: readonly string[], enumName: string): string[] {
  const re = new RegExp(`\\b${enumName}\\.(\\w+)`, 'g');
  return [...new Set(sources.flatMap((s) => [...s.matchAll(re)].map((m) => m[1]!)))];
}

/** `text` (model/codes.ts) with `names` the enum lacks appended to it, numbered on from its highest member. */
export function withMembers(text: string, enumName: string, names: readonly string[]): string {
  const lines = text.split('\n');
  const b = lines.indexOf(`export enum ${enumName} {`);
  const e = b < 0 ? -1 : lines.indexOf('}', b);
  if (b < 0 || e < 0) throw new Error(`model/codes.ts: no 'export enum ${enumName} {' ... '}'`);
  const members = lines
    .slice(b + 1, e)
    .map((l) => MEMBER.exec(l))
    .filter((m) => m !== null);
  const have = new Set(members.map((m) => m[1]!));
  let next = Math.max(0, ...members.map((m) => Number(m[2])));
  const added = names.filter((n) => !have.has(n)).map((n) => `  ${n} = ${++next},`);
  if (next > 255) throw new Error(`model/codes.ts: ${enumName} is a byte in the state; no number left`);
  return [...lines.slice(0, e), ...added, ...lines.slice(e)].join('\n');
}

/** The descriptors and the registry, as text without comments (they may name members the enums do not have yet). */
function opSources(dir = OPS_DIR): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return opSources(p);
      return n === 'op.ts' || n === 'registry.ts' ? [readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')] : [];
    });
}

/** model/codes.ts with every OpKind and Routine member the op registry names. */
export function codesSource(current = readFileSync(CODES_FILE, 'utf8'), sources = opSources()): string {
  let text = current;
  for (const name of ['OpKind', 'Routine']) text = withMembers(text, name, mentioned(sources, name));
  return text;
}
