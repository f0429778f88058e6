import nx from '@nx/eslint-plugin';

const TESTING_ONLY_IN_TESTS = {
  name: '@tuneforge/testing',
  message: 'libs/testing is test support: only tests import it',
};

// Libs are imported only through their index as @tuneforge/<lib>; apps depend on libs, never the reverse.
const DEP_CONSTRAINTS = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // contracts (and formats) depend on nothing of ours; search reads its strategies' types off the contracts' schemas;
  // persistence and training sit on both.
  { sourceTag: 'layer:base', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:domain', onlyDependOnLibsWithTags: ['layer:base'] },
  {
    sourceTag: 'layer:data',
    onlyDependOnLibsWithTags: ['layer:base', 'layer:domain'],
  },
  // The shared HTTP client (api-client) parses answers with the contracts' schemas, and nothing else.
  { sourceTag: 'layer:client', onlyDependOnLibsWithTags: ['layer:base'] },
  // Test support (real servers, scratch databases) may use the data layer; only tests import it.
  {
    sourceTag: 'layer:testing',
    onlyDependOnLibsWithTags: ['layer:base', 'layer:data'],
  },
  {
    sourceTag: 'scope:coordinator',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:coordinator'],
  },
  {
    sourceTag: 'scope:worker',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:worker'],
  },
  // The command line speaks HTTP only: it shares the API's contracts, never the data layer.
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['layer:base', 'layer:client'] },
  // The browser bundle gets the API's contracts only: no data layer, no Node-only library.
  { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['layer:base', 'layer:client'] },
];

/**
 * A lib's integration tests (libs/<lib>/test) may also use test support (scratch databases, factories that
 * seed through the stores), whatever the lib's layer; its sources may not.
 */
const TEST_DEP_CONSTRAINTS = DEP_CONSTRAINTS.map((c) =>
  c.sourceTag.startsWith('layer:') && c.sourceTag !== 'layer:testing'
    ? {
        ...c,
        onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'layer:testing'],
      }
    : c,
);

function moduleBoundaries(depConstraints) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: [],
      // persistence's own tests seed through the factories of libs/testing, which write through persistence:
      // a cycle between a lib's tests and test support only, never between sources.
      ignoredCircularDependencies: [['persistence', 'testing']],
      depConstraints,
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', 'tmp', '.nx', 'test-artifacts'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // Libs are imported only through their index as @tuneforge/<lib>; apps depend on libs, never the reverse.
      '@nx/enforce-module-boundaries': moduleBoundaries(DEP_CONSTRAINTS),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    files: ['libs/*/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(TEST_DEP_CONSTRAINTS),
    },
  },
  {
    // Test support (private servers, scratch databases) is for tests only: no app or lib source imports it.
    files: ['libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [TESTING_ONLY_IN_TESTS] }],
    },
  },
  {
    // Every statement lives in a store or read model of libs/persistence (one named home per statement):
    // app sources neither run SQL nor use TypeORM's managers and repositories themselves.
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            TESTING_ONLY_IN_TESTS,
            {
              name: 'typeorm',
              message: 'apps reach PostgreSQL through the stores of @tuneforge/persistence (Stores)',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests of the apps read and seed through the stores and the factories of libs/testing too.
    files: ['apps/**/*.ts', 'apps/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'SQL belongs in a store or read model of @tuneforge/persistence (or, for tests, a factory of libs/testing), not in an app',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
