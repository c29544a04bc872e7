// The one namespace shared by files, epolls, processes and threads. Names must be declared before use
// (the parser is single-pass so that the first error in the file is the one reported); a pre-scan of the
// declaration lines lets a forward reference say where the name is declared instead of "unknown".

import type { Fail, SourceLine, Token } from './lexer.ts';
import type { FileKind, Loc } from './types.ts';
import { didYouMean } from '../suggest.ts';

export type DeclKind = 'file' | 'epoll' | 'process' | 'thread';
/** What a name position accepts; `file` also accepts epolls (an epoll is a struct file too). */
export type Want = 'file' | 'epoll' | 'process' | 'thread';

interface Entry {
  kind: DeclKind;
  fileKind?: FileKind;
  loc: Loc;
}

const DECL_LINE = /^(file|epoll|process|thread)[ \t]+([A-Za-z_][A-Za-z0-9_]*)/;

function article(kind: DeclKind, fileKind?: FileKind): string {
  if (kind === 'file') return fileKind === 'regular' ? 'a regular file' : 'a socket file';
  return kind === 'epoll' ? 'an epoll' : kind === 'process' ? 'a process' : 'a thread';
}

function accepts(want: Want, kind: DeclKind): boolean {
  return want === 'file' ? kind === 'file' || kind === 'epoll' : want === kind;
}

export class Scope {
  private readonly entries = new Map<string, Entry>();
  private readonly declaredLater = new Map<string, { kind: DeclKind; line: number }>();

  constructor(
    lines: readonly SourceLine[],
    private readonly fail: Fail,
  ) {
    for (const l of lines) {
      if (l.kind !== 'code' || l.indent !== 0) continue;
      const m = DECL_LINE.exec(l.text);
      if (m?.[2] !== undefined && !this.declaredLater.has(m[2])) {
        this.declaredLater.set(m[2], { kind: m[1] as DeclKind, line: l.line });
      }
    }
  }

  /** Fails unless `name` may be declared; separate from declare() so errors stay in left-to-right order. */
  checkFree(name: Token): void {
    if (name.text === 'none') this.fail(`'none' is reserved (it means an empty fd slot); choose another name`, name.loc);
    const old = this.entries.get(name.text);
    if (old) {
      this.fail(`duplicate name '${name.text}': already declared as ${article(old.kind, old.fileKind)} at line ${old.loc.line}`, name.loc);
    }
  }

  declare(name: Token, kind: DeclKind, fileKind?: FileKind): void {
    this.checkFree(name);
    this.entries.set(name.text, { kind, fileKind, loc: name.loc });
  }

  /** Resolves a name used where `want` is expected; returns the file kind for file/epoll names. */
  resolve(name: Token, want: Want): FileKind | undefined {
    const e = this.entries.get(name.text);
    if (e && accepts(want, e.kind)) return e.fileKind;
    if (e) {
      const wanted = want === 'file' ? 'a file' : article(want);
      const names = this.names(want);
      const others = names.length ? `declared ${want}s: ${names.join(', ')}` : `no ${want}s declared`;
      this.fail(`'${name.text}' is ${article(e.kind, e.fileKind)}, not ${wanted} (${others})`, name.loc);
    }
    const later = this.declaredLater.get(name.text);
    if (later && later.line > name.loc.line && accepts(want, later.kind)) {
      this.fail(`${want} '${name.text}' is used before its declaration at line ${later.line}; declare it earlier`, name.loc);
    }
    const names = this.names(want);
    const hint = didYouMean(name.text, names);
    return this.fail(`unknown ${want} '${name.text}'${hint} (${names.length ? `declared: ${names.join(', ')}` : `no ${want}s declared`})`, name.loc);
  }

  /** Is `name` declared (as anything)? Lets a keyword atom (`quiescent`) yield to a declared name. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  private names(want: Want): string[] {
    return [...this.entries].filter(([, e]) => accepts(want, e.kind)).map(([n]) => n);
  }
}
