// The Wasm module's exports (kernel: k*, engine: e*). Numbers cross the boundary as JS numbers; u32 results come
// back signed, hence the `>>> 0` at call sites that read ids.

export interface FdraceExports {
  memory: WebAssembly.Memory;
  _start(): void;
  // kernel (model/index.ts)
  kConfigure(): number;
  kStateSize(): number;
  kBuildInitial(dst: number): number;
  kStep(src: number, dst: number, thread: number, fault: number): number;
  kSawFaultPoint(): number;
  kLastLabel(): number;
  kMemReport(field: number): number;
  kBlockedOn(): number;
  kFaultsUsed(s: number): number;
  kFaultBudget(): number;
  kThreadDone(s: number, t: number): number;
  kAllDone(s: number): number;
  kCheck(s: number): number;
  kViolObj(): number;
  kExpectCount(): number;
  kExpectModality(k: number): number;
  kEvalExpect(s: number, k: number): number;
  kLockOwner(s: number, id: number): number;
  kLayout(field: number): number;
  kIsFatal(code: number): number;
  kCheckMask(s: number): number;
  kViolObjOf(v: number): number;
  kStepReads(): bigint;
  kStepWrites(): bigint;
  // engine (checker/wasm/engine.ts)
  eInit(maxMemoryBytes: number): number;
  eRun(budget: number): number;
  eCount(): number;
  eHead(): number;
  eTransitions(): number;
  eTerminals(): number;
  eMaxDepth(): number;
  eSometimes(): number;
  eMemBytes(): number;
  eStateBytes(): number;
  eReportCount(): number;
  eReport(k: number, field: number): number;
  eParent(id: number): number;
  eMove(id: number): number;
  eStateAddr(id: number): number;
  eConfigAddr(): number;
  eScratch(k: number): number;
}

export const RUN_DONE = 0;
export const RUN_MORE = 1;
export const RUN_OUT_OF_MEMORY = 2;

export const R_INVARIANT = 1;
export const R_EXPECT = 2;
export const R_DEADLOCK = 3;

/** Instantiate a fresh kernel+engine instance from compiled module bytes or a module. */
export async function instantiate(module: WebAssembly.Module): Promise<FdraceExports> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`fdrace kernel aborted at ${line}:${col} (internal error)`);
      },
    },
  });
  const x = instance.exports as unknown as FdraceExports;
  x._start();
  return x;
}
