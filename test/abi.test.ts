// The Wasm boundary has one source of numbers (model/abi.ts): the built module agrees with it, and no other file
// writes those numbers again (a copy is how the two halves drift apart).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Addr, Cfg, Errno, LockIndex, Report, Run, StorageCode, StrategyCode } from '../model/abi.ts';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { ERRNO } from '../checker/scenario/constants.ts';
import { RUN, STORAGE, STRATEGY } from '../checker/search/engine-api.ts';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((n) => {
    const rel = join(dir, n);
    if (statSync(join(ROOT, rel)).isDirectory()) return n === 'node_modules' ? [] : sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

describe('the Wasm boundary', () => {
  it('the built module uses the addresses of model/abi.ts', async () => {
    const x = await loadKernel();
    expect(x.eConfigAddr()).toBe(Addr.Cfg);
    expect(x.eScratch(0)).toBe(Addr.Scratch + Addr.ScratchState);
    expect(Addr.Scratch).toBe(Addr.Cfg + Addr.CfgSize);
    expect(Cfg.PStack + 64 * 4).toBeLessThanOrEqual(Addr.CfgSize);
    expect(Cfg.LockEdges + LockIndex.Count * LockIndex.Count * 2).toBeLessThanOrEqual(Cfg.Reach);
  });

  it('the checker names the same codes', () => {
    expect(RUN).toMatchObject({ done: Run.Done, found: Run.Found, outOfMemory: Run.OutOfMemory });
    expect(STORAGE.bitstate).toBe(StorageCode.Bitstate);
    expect(STRATEGY.pb).toBe(StrategyCode.Pb);
    expect(Report.Deadlock).toBe(3);
    expect(ERRNO.EBADF).toBe(Errno.EBADF);
    expect(ERRNO.EBADF).toBe(9);
  });

  it('no file outside model/abi.ts writes those numbers again', () => {
    const copies = [
      /\b(RUN_[A-Z_]+|STORAGE_[A-Z]+|STRATEGY_[A-Z]+|R_(INVARIANT|EXPECT|DEADLOCK)|C_[A-Z_]+|CFG(_SIZE|_ADDR|_BYTES)?|STATE_[AB]|NLOCKS|EDGES_OFFSET)\b(\s*:\s*\w+)?\s*=\s*\d/,
      /\bE(PERM|NOENT|BADF|EXIST|LOOP|MFILE|NOSPC)(\s*:\s*\w+)?\s*[=:]\s*\d/,
      /\breturn 16384\b/,
    ];
    const offenders: string[] = [];
    for (const f of [...sources('model'), ...sources('checker'), ...sources('web/src')]) {
      if (f === join('model', 'abi.ts')) continue;
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (copies.some((re) => re.test(line))) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});

describe('one typed view of the module', () => {
  it('declares only functions the built module exports (a stale declaration fails here, not at run time)', async () => {
    const x = await loadKernel();
    const text = readFileSync(join(ROOT, 'checker/kernel/exports.ts'), 'utf8');
    const body = text.slice(text.indexOf('export interface FdraceExports {'), text.indexOf('\n}\n', text.indexOf('export interface FdraceExports {')));
    const declared = [...body.matchAll(/^ {2}([A-Za-z_]\w*)\(/gm)].map((m) => m[1]!).sort();
    const exported = Object.entries(x)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    expect(declared.filter((n) => !exported.includes(n))).toEqual([]);
    expect(declared.length).toBeGreaterThan(70); // the parse of the interface found its members
  });
});
