import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', 'tmp', '.nx', 'test-artifacts'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // Libs are imported only through their index as @tuneforge/<lib>; apps depend on libs, never the reverse.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // contracts and search depend on nothing of ours; persistence (and training) only on contracts.
            { sourceTag: 'layer:base', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:data', onlyDependOnLibsWithTags: ['layer:base'] },
            // The shared HTTP client (api-client) parses answers with the contracts' schemas, and nothing else.
            { sourceTag: 'layer:client', onlyDependOnLibsWithTags: ['layer:base'] },
            // Test support (real servers, scratch databases) may use the data layer; only tests import it.
            { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['layer:base', 'layer:data'] },
            { sourceTag: 'scope:coordinator', onlyDependOnLibsWithTags: ['scope:shared', 'scope:coordinator'] },
            { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:shared', 'scope:worker'] },
            // The command line speaks HTTP only: it shares the API's contracts, never the data layer.
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['layer:base', 'layer:client'] },
            // The browser bundle gets the API's contracts only: no data layer, no Node-only library.
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['layer:base', 'layer:client'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Test support (private servers, scratch databases) is for tests only: no app or lib source imports it.
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: '@tuneforge/testing', message: 'libs/testing is test support: only tests import it' }] }] },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
