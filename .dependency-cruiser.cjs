// Layering rules checked in CI (`npm run deps`). Why each exists is in its comment.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle makes load order matter and hides which module owns a concept',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'checker-not-to-web',
      comment: 'the checker is the library the viewer uses, never the other way round',
      severity: 'error',
      from: { path: '^checker/' },
      to: { path: '^web/' },
    },
    {
      name: 'library-not-to-cli',
      comment: 'the command line is one front end of the library; the library must not depend on it',
      severity: 'error',
      from: { path: '^checker/', pathNot: '^checker/cli/' },
      to: { path: '^checker/cli/' },
    },
    {
      name: 'reports-not-to-commands',
      comment: 'reports (JUnit, SARIF, tables) are data transformations used by commands, not the reverse',
      severity: 'error',
      from: { path: '^checker/report/' },
      to: { path: '^checker/cli/' },
    },
    {
      name: 'trace-not-to-search-drivers',
      comment: 'replay derives traces from a path through the kernel; it must not depend on a search strategy',
      severity: 'error',
      from: { path: '^checker/trace/' },
      to: { path: '^checker/search/(bfs|dfs|random|pb|parallel)\\.ts$' },
    },
    {
      name: 'no-test-from-product',
      comment: 'product code never imports test code',
      severity: 'error',
      from: { path: '^(checker|web|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|build|dist)/|^checker/wasm/|^model/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
