// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Folder boundaries of ARCHITECTURE.md: arrows point down only. */
const boundary = (files, patterns, message) => ({
  files,
  rules: {
    // Type-only imports carry no runtime dependency, so a route may name a repository's return type.
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: patterns, message, allowTypeImports: true }] }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'models/**', 'test-results/**', 'artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['src/web/**'], languageOptions: { globals: { ...globals.browser } } },
  boundary(['src/shared/**'], ['**/server/**', '**/web/**', 'fastify', 'kysely', 'pg', 'better-sqlite3', 'node:*'], 'src/shared is pure: it imports nothing but zod and itself.'),
  boundary(['src/server/services/**'], ['**/http/**', '**/db/**', 'fastify', 'kysely', 'pg', 'better-sqlite3', '**/app.js'], 'services have no HTTP and no SQL: use a repository.'),
  boundary(['src/server/repositories/**'], ['**/http/**', '**/services/**', '**/pipeline/**', 'fastify', '**/app.js'], 'repositories only talk to the store.'),
  boundary(['src/server/http/**'], ['**/repositories/**', '**/db/**', '**/pipeline/**', 'kysely', 'pg', 'better-sqlite3', '**/app.js'], 'routes validate, call a service and map: no store access.'),
  boundary(['src/server/pipeline/**'], ['**/http/**', 'fastify', '**/db/**', 'kysely', '**/app.js'], 'pipeline stages use repositories and ports.'),
  boundary(['src/server/jobs/**'], ['**/http/**', 'fastify', '**/app.js'], 'jobs do not see HTTP.'),
  boundary(['src/server/connectors/**'], ['**/http/**', '**/services/**', '**/repositories/**', '**/db/**', 'kysely', '**/app.js'], 'connectors implement a port and know nothing of the store.'),
  boundary(['src/server/classifier/**'], ['**/http/**', '**/services/**', '**/repositories/**', '**/db/**', 'kysely', 'fastify', '**/app.js'], 'the classifier is pure.'),
  boundary(['src/server/platform/**'], ['**/http/**', '**/services/**', '**/repositories/**', '**/pipeline/**', '**/connectors/**', '**/app.js'], 'platform is the bottom layer.'),
  boundary(['src/web/ui/**'], ['**/features/**'], 'ui never imports features.'),
  boundary(['src/web/**'], ['**/server/**'], 'the SPA talks to the server over HTTP only.'),
);
