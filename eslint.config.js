// Lint rules. The layer rules keep the pure core pure: domain and engine never reach I/O,
// the store, services or the edges, so they can be tested and benchmarked alone.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const io = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:child_process', 'fs', 'pg', '@electric-sql/pglite', 'fastify'];
const outerLayers = ['**/store/**', '**/services/**', '**/api/**', '**/cli/**', '**/web/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/dist/**', '.lightpath/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The pure core is deterministic: same input, same answer (tests, simulator seeds, replays).
    files: ['src/domain/**/*.ts', 'src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: io, patterns: outerLayers.concat(['**/import/**', '**/export/**']) }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'engine code is deterministic: take a seeded generator (src/engine/sim/rng.ts)' },
        { object: 'Date', property: 'now', message: 'engine code is deterministic: take the time as an argument' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'engine code is deterministic: take the time as an argument' }],
    },
  },
  {
    files: ['src/import/**/*.ts', 'src/export/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: io, patterns: outerLayers }] },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/services/**', '**/api/**', '**/cli/**'] }] },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/api/**', '**/cli/**'] }] },
  },
);
