// Reading scenario files from disk with errors that name the file (exit 2 in the CLI).

import { closeSync, lstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from './scenario/parse.ts';
import { ScenarioError, type Scenario } from './scenario/types.ts';
import { checkVariantSpec } from './variants.ts';
import { UsageError } from './errors.ts';

const MAX_SCENARIO_BYTES = 1 << 20;

/** Read at most MAX_SCENARIO_BYTES (+1 to detect more) from any kind of file: a device such as /dev/zero or a
 *  FIFO reports no size, so the cap is applied while reading. */
function readCapped(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const k = readSync(fd, buf, n, buf.length - n, null);
      if (k === 0) break;
      n += k;
    }
    if (n > MAX_SCENARIO_BYTES) throw new UsageError(`${path}: larger than 1 MiB, too large for a scenario (limit 1 MiB)`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export function readScenario(path: string): Scenario {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`${path}: is a directory (fdrace check takes .fdr files; fdrace ci takes directories)`);
    if (st.size > MAX_SCENARIO_BYTES) throw new UsageError(`${path}: ${st.size} bytes is too large for a scenario (limit 1 MiB)`);
    text = readCapped(path).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read the file (${describeErrno(e)})`);
  }
  // A UTF-8 byte order mark (some Windows editors write one) is not part of the text.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw new ScenarioError('the file contains NUL bytes: not a scenario text file', { line: 1, col: 1 }, path);
  return parseScenario(text, path, { variants: checkVariantSpec });
}

function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'ELOOP') return 'ELOOP: a loop of symbolic links';
  return code;
}

/** Expand files and directories (recursively, *.fdr, sorted) into scenario paths. A symbolic link loop, or a link
 *  back to a directory already being listed, is a usage error naming it (never endless recursion). */
export function scenarioPaths(args: string[]): string[] {
  const out: string[] = [];
  const open = new Set<string>();
  const stat = (p: string) => {
    try {
      return statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && lstatExists(p)) throw new UsageError(`${p}: a symbolic link to nothing (ENOENT)`);
      if (code === 'ENOENT') throw new UsageError(`${p}: no such file or directory`);
      throw new UsageError(`${p}: cannot read (${describeErrno(e)})`);
    }
  };
  const walk = (p: string): void => {
    const st = stat(p);
    if (st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      if (open.has(key)) throw new UsageError(`${p}: a symbolic link loop (this directory contains itself)`);
      open.add(key);
      let entries: string[];
      try {
        entries = readdirSync(p).sort();
      } catch (e) {
        throw new UsageError(`${p}: cannot list the directory (${describeErrno(e)})`);
      }
      for (const e of entries) {
        const q = join(p, e);
        if (e.endsWith('.fdr') || stat(q).isDirectory()) walk(q);
      }
      open.delete(key);
    } else out.push(p);
  };
  for (const a of args) walk(a);
  return out;
}

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
