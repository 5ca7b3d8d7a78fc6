/**
 * No import cycles, counted on the imports that run (type-only imports are erased by the compiler,
 * so two modules may name each other's types). Modules form a hierarchy: a cycle means two
 * capabilities that cannot be understood or changed apart. Run by test/architecture.test.ts.
 */
const base = require("./.dependency-cruiser.cjs");

module.exports = {
  forbidden: [{ name: "no-cycles", severity: "error", from: { path: "^src/" }, to: { circular: true } }],
  options: { ...base.options, tsPreCompilationDeps: false },
};
