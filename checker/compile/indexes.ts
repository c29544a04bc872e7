// Name -> index maps shared by the compiler parts. Indices are the kernel's object numbers.
import type { Scenario } from '../scenario/types.ts';

export interface Indexes {
  file(name: string): number;
  epoll(name: string): number;
  thread(name: string): number;
  /** The files_struct a process uses (CLONE_FILES sharers map to the owner's table). */
  tableOf(process: string): number;
  fileNames: string[];
  epollNames: string[];
  tableNames: string[];
  threadNames: string[];
}

export function buildIndexes(s: Scenario): Indexes {
  const fileNames = s.files.map((f) => f.name);
  const epollNames = s.files.filter((f) => f.kind === 'epoll').map((f) => f.name);
  const owners = s.processes.filter((p) => !p.shares);
  const tableNames = owners.map((p) => p.name);
  const threadNames = s.threads.map((t) => t.name);
  const get =
    (names: string[], what: string) =>
    (n: string): number => {
      const i = names.indexOf(n);
      if (i < 0) throw new Error(`internal: unknown ${what} '${n}' after validation`);
      return i;
    };
  const tableOf = (p: string): number => {
    const decl = s.processes.find((x) => x.name === p);
    if (!decl) throw new Error(`internal: unknown process '${p}' after validation`);
    return tableNames.indexOf(decl.shares ?? decl.name);
  };
  return {
    file: get(fileNames, 'file'),
    epoll: get(epollNames, 'epoll'),
    thread: get(threadNames, 'thread'),
    tableOf,
    fileNames,
    epollNames,
    tableNames,
    threadNames,
  };
}
