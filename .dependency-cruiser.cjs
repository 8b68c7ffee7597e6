// @ts-check
// The dependency rule (issue 16): `npm run lint:deps`, run by `npm run lint` and so by CI. Each rule
// says what it protects; CONTRIBUTING.md explains the layout they enforce.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'feature-internals',
      severity: 'error',
      comment:
        "A feature uses another only through that feature's index.ts (its public surface), never its files.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'root-reaches-feature-internals',
      severity: 'error',
      comment: 'Process roots, tools and infrastructure in src/ use a feature through its index.ts too.',
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'folder-cycle',
      severity: 'error',
      comment: 'No cycle between folders (features, their sub-folders, src/queues, libs/...).',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'module-cycle',
      severity: 'error',
      comment: 'No import cycle between files (it also makes decorators see undefined classes at load).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-import-app',
      severity: 'error',
      comment: 'libs/ are below the app: they never import src/, test/ or scripts/.',
      from: { path: '^libs/' },
      to: { path: '^(src|test|scripts)/' },
    },
    {
      name: 'controller-touches-persistence',
      severity: 'error',
      comment: 'Controllers call a service and return response DTOs: no TypeORM, no entities.',
      from: { path: '\\.controller\\.ts$' },
      to: { path: ['node_modules/(typeorm|@nestjs/typeorm)/', '/entities/'] },
    },
    {
      name: 'migration-imports-app',
      severity: 'error',
      comment: 'A migration is frozen: it imports nothing of the app or libs, so its effect never changes.',
      from: { path: '^src/database/migrations/' },
      to: { path: '^(src|libs)/', pathNot: '^src/database/migrations/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.d.ts'] },
  },
};
