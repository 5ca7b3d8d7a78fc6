/**
 * The module rules of docs/architecture.md, checked by `npm test` (test/architecture.test.ts runs
 * `depcruise` with this file, and with .dependency-cruiser-cycles.cjs). Every rule says why; a new
 * module follows them from its first commit. These rules see type-only imports too: a type is as
 * much a module's own as a function.
 */
const MODULE = "^src/modules/([^/]+)/";

module.exports = {
  forbidden: [
    {
      name: "kernel-knows-no-module",
      comment: "The kernel is infrastructure without domain knowledge; modules build on it, never the reverse.",
      severity: "error",
      from: { path: "^src/kernel/" },
      to: { path: "^src/modules/" },
    },
    {
      name: "modules-meet-at-their-index",
      comment: "A module's index.ts is its public surface; its files are its own. Table definitions are the one exception (foreign keys).",
      severity: "error",
      from: { path: MODULE },
      to: {
        path: "^src/modules/([^/]+)/.+",
        pathNot: ["^src/modules/$1/", "^src/modules/[^/]+/index\\.ts$", "^src/modules/[^/]+/tables\\.ts$"],
      },
    },
    {
      name: "only-tables-import-tables-across-modules",
      comment: "Another module's tables are for foreign keys in tables.ts (and tests), never for queries.",
      severity: "error",
      from: { path: MODULE, pathNot: ["/tables\\.ts$", "\\.test\\.ts$"] },
      to: { path: "^src/modules/([^/]+)/tables\\.ts$", pathNot: "^src/modules/$1/" },
    },
    {
      name: "routes-hold-no-queries",
      comment: "Data flows route → service → store: routes call services, never a store, a table or the query builder.",
      severity: "error",
      from: { path: "(^|/)routes\\.ts$|-routes\\.ts$" },
      to: { path: ["/store\\.ts$", "/tables\\.ts$", "^node_modules/drizzle-orm"] },
    },
    {
      name: "services-hold-no-http",
      comment: "Services are the library API: they know nothing of Fastify, so they run the same without a server.",
      severity: "error",
      from: {
        path: "^src/modules/.+",
        pathNot: [
          "(^|/)routes\\.ts$",
          "-routes\\.ts$",
          "/index\\.ts$",
          "\\.test\\.ts$",
          "^src/modules/hosted-pages/",
          "^src/modules/accesspass/routes",
          "^src/modules/ops/",
        ],
      },
      to: { path: "^node_modules/fastify", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "library-does-not-import-tests",
      comment: "test/ supports tests; shipped code must not depend on it.",
      severity: "error",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^dist/" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
