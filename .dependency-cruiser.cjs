// The walls between the layers, as data: `npm run walls` (and CI) fail when an import breaks one.
// Layers: <area>.grpc.ts (transport: the only code that sees generated types) → <area>.service.ts (domain, no Db)
// → <area>.repository.ts (SQL over Session) → src/db. See docs/architecture.md.

/** Code that may see the generated contract: transport, the server, and callers of the service. */
const TRANSPORT = ['\\.grpc\\.ts$', '\\.mapper\\.ts$', '^src/server\\.ts$', '^src/grpc/', '^src/gen/', '^src/client(-calls)?\\.ts$', '^src/demo/'];
// NOTE: packages are matched by their resolved path (node_modules/<name>/…), not by the import specifier.
const DRIVERS = 'node_modules/(knex|pg|pg-copy-streams|pgvector|knex-pglite|@electric-sql/[^/]+|@types/(pg|pg-copy-streams))/';
const GRPC = 'node_modules/@grpc/';
const SQL_LAYER = ['\\.repository\\.ts$', '^src/db/'];
const AREAS = 'embedding|metrics|learning|tenancy|experiment';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and hide which layer owns what.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'storage-below-transport-and-domain',
      severity: 'error',
      comment: 'Repositories and src/db hold SQL only: no generated code, gRPC, validators or services.',
      from: { path: SQL_LAYER },
      to: { path: ['^src/gen/', '^src/grpc/', '\\.validate\\.ts$', '\\.service\\.ts$', '\\.grpc\\.ts$', GRPC] },
    },
    {
      name: 'services-without-transport-or-driver',
      severity: 'error',
      comment: 'Services hold domain logic over injected repositories: no gRPC, no generated code, no Db or driver.',
      from: { path: '\\.service\\.ts$' },
      to: { path: ['^src/gen/', '^src/grpc/', GRPC, '^src/db/connect\\.ts$', '^src/db/session\\.ts$', DRIVERS] },
    },
    {
      name: 'only-transport-sees-generated-code',
      severity: 'error',
      comment: 'Generated types stop at the transport: map them to the area\'s own types in <area>.grpc.ts (or its mapper).',
      from: { path: '^src/', pathNot: TRANSPORT },
      to: { path: '^src/gen/' },
    },
    {
      name: 'only-transport-sees-grpc',
      severity: 'error',
      comment: 'grpc-js belongs to the transport (and the Prometheus observer, which names status codes).',
      from: { path: '^src/', pathNot: [...TRANSPORT, '^src/observability/'] },
      to: { path: GRPC },
    },
    {
      name: 'only-storage-sees-the-driver',
      severity: 'error',
      comment: 'knex, pg and PGlite are reached through src/db and repositories only.',
      from: { path: '^src/', pathNot: [...SQL_LAYER] },
      to: { path: DRIVERS },
    },
    {
      name: 'transport-and-callers-go-through-services',
      severity: 'error',
      comment: 'Handlers, the CLI, the report page and the demo call services; only src/app.ts builds repositories.',
      from: { path: ['\\.grpc\\.ts$', '\\.mapper\\.ts$', '^src/server\\.ts$', '^src/grpc/', '^src/cli', '^src/report/', '^src/demo/'] },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'one-owner-per-table',
      severity: 'error',
      comment: 'An area\'s repository is used by that area only; another area asks the owner\'s service.',
      from: { path: `^src/(${AREAS})/` },
      to: { path: `^src/(${AREAS})/.*\\.repository\\.ts$`, pathNot: '^src/$1/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain holds pure shared helpers: it imports nothing of the areas, transport or storage.',
      from: { path: '^src/domain/' },
      to: { path: ['^src/(?!domain/|errors\\.ts)', GRPC, DRIVERS] },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^src/gen/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
