/**
 * Layering of the platform (ports and adapters), checked by `npm run lint:deps` as part of `npm test`.
 *
 *   core        domain logic: imports core, ports, Node built-ins and a few pure libraries
 *   ports       the interfaces core needs from the outside world, and their contract suites
 *   adapters    implementations of the ports; chosen by the composition root alone
 *   transports  HTTP and WebSocket entry points; they reach adapters only through the ports
 *   wire        the public API's shapes (TypeBox schemas and presenters): core's types in, JSON out
 *
 * Every rule is an error, so any violation fails the run.
 */

const TEST_FILE = '[.]test[.]ts$'
/** Contract suites are test code that lives beside the ports so every adapter runs the same suite. */
const CONTRACT_SUITE = ['^src/ports/[^/]+[.]contract[.]ts$', '^src/ports/store-contract/']
const COMPOSITION_ROOT = ['^src/app[.]ts$', '^src/adapters/index[.]ts$']

/**
 * Libraries core may use. They compute and do no I/O, so they need no port: JWT signing
 * (tokens.ts) and canonical JSON for request hashing (messaging.ts). pino is allowed for its
 * Logger type only (see core-pino-types-only). Infrastructure clients (fastify, pg,
 * better-sqlite3, ws, NATS, AWS) belong in adapters or transports and are not on this list.
 */
const CORE_PURE_LIBRARIES = ['(^|/)node_modules/(fast-jwt|safe-stable-stringify|pino)/']

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules that import each other, even for types only, cannot be understood or moved apart. ' +
        'Break the cycle: move the shared type to its own module, or let the importer declare the ' +
        'narrow interface it needs.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve to a file. Besides being a bug, it would slip past the ' +
        'layering rules, which match on resolved paths.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'core-imports-core-ports-builtins',
      severity: 'error',
      comment:
        'Core depends only on core, ports, Node built-ins and a few pure libraries. Anything that ' +
        'talks to the outside world goes behind a port in src/ports and is implemented in src/adapters.',
      from: { path: '^src/core/', pathNot: TEST_FILE },
      to: {
        pathNot: ['^src/(core|ports)/', ...CORE_PURE_LIBRARIES],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'core-pino-types-only',
      severity: 'error',
      comment:
        'Core receives its logger from the composition root and uses pino for the Logger type alone ' +
        '(`import type`).',
      from: { path: '^src/core/', pathNot: TEST_FILE },
      to: { path: '(^|/)node_modules/pino/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'ports-import-core-ports-builtins',
      severity: 'error',
      comment: 'Ports are interfaces over core types: they import core, ports and Node built-ins only.',
      from: { path: '^src/ports/', pathNot: [TEST_FILE, ...CONTRACT_SUITE] },
      to: { pathNot: '^src/(core|ports)/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'port-contracts-import-core-ports-vitest',
      severity: 'error',
      comment:
        'A contract suite tests any adapter through its port, so besides core, ports and Node ' +
        'built-ins it imports vitest alone; the adapter under test is handed in by its own test file.',
      from: { path: CONTRACT_SUITE, pathNot: TEST_FILE },
      to: { pathNot: ['^src/(core|ports)/', '(^|/)node_modules/vitest/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'adapters-only-from-composition-root',
      severity: 'error',
      comment:
        'Adapters are chosen in one place (src/app.ts via src/adapters/index.ts). Everything else ' +
        'depends on the ports, so an adapter can be swapped without touching its callers. Tests may ' +
        'import adapters directly.',
      from: { pathNot: ['^src/adapters/', ...COMPOSITION_ROOT, TEST_FILE, '^test/', '^bench/'] },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'adapters-not-to-outer-layers',
      severity: 'error',
      comment: 'Adapters implement ports; they never reach up into transports, workers or the composition root.',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/transports/', '^src/workers/', '^src/app[.]ts$'] },
    },
    {
      name: 'wire-imports-core-wire-typebox',
      severity: 'error',
      comment:
        'The wire schema describes the public API from the core model; transports, workers and the ' +
        'OpenAPI document import it, so it imports only core, itself and TypeBox (no Fastify, no I/O).',
      from: { path: '^src/wire/', pathNot: TEST_FILE },
      to: { pathNot: ['^src/(core|wire)/', '(^|/)node_modules/@sinclair/typebox/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'transports-not-to-adapters',
      severity: 'error',
      comment: 'Transports reach storage, bus and blobs through the ports, never through an adapter.',
      from: { path: '^src/transports/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'sdk-imports-no-server-code',
      severity: 'error',
      comment:
        'The SDK (src/client, published as chat4all/client) runs in applications, not in the server: ' +
        'it imports its own modules, Node built-ins, ws, and the pure backoff arithmetic of ' +
        'src/core/retry.ts, so that one retry schedule serves the server and its clients. Its types ' +
        'come from the wire schema (src/wire) by type-only imports, which TypeScript erases, so no ' +
        'server code loads (see sdk-wire-types-only).',
      from: { path: '^src/client/', pathNot: TEST_FILE },
      to: {
        pathNot: ['^src/client/', '^src/wire/', '^src/core/retry[.]ts$', '(^|/)node_modules/(ws|@types/ws)/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'sdk-wire-types-only',
      severity: 'error',
      comment:
        'The SDK takes the API\'s shapes from the wire schema with `import type` alone: a value import ' +
        'would load TypeBox and the server\'s core modules into every application using the SDK.',
      from: { path: '^src/client/', pathNot: TEST_FILE },
      to: { path: '^src/wire/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    moduleSystems: ['es6', 'cjs'],
    // Type-only imports count: they shape the layering and close cycles just like value imports.
    tsPreCompilationDeps: true,
    // Resolves the `./x.js` specifiers of the NodeNext sources to their `.ts` files.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
}
