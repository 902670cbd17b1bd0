import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The migration tool's layers, lowest first: a folder may import its own layer and the ones below,
// never one above (model ← rules ← source/target ← machinery ← phases ← runner ← cli).
const TOOL = 'src/data-migration';
const LAYERS = [
  ['model'],
  ['convert', 'schema', 'report'],
  ['source', 'target'],
  ['plan', 'load', 'verify'],
  ['phases'],
  ['runner'],
  ['cli'],
];
const folderPattern = (folder) =>
  folder === 'runner' ? '**/migration-runner' : `**/data-migration/${folder}/**`;
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  files: layer.map((folder) =>
    folder === 'runner' ? `${TOOL}/migration-runner.ts` : `${TOOL}/${folder}/**/*.ts`,
  ),
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: LAYERS.slice(i + 1)
          .flat()
          .map((folder) => ({
            group: [
              folderPattern(folder),
              ...(folder === 'runner' ? [] : [`../${folder}/*`, `./${folder}/*`]),
            ],
            message: `${layer.join('/')} is below ${folder} in the migration tool's layers: move the shared piece down instead.`,
          })),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.data/**',
      'jest.config.mjs',
      'eslint.config.mjs',
      'test/support/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-duplicates': 'error',
    },
  },
  {
    files: [`${TOOL}/**/*.ts`],
    ignores: [`${TOOL}/**/*.spec.ts`],
    rules: {
      // The tool works on any SQLite file: it never reaches into the app's domain.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/content/*', '**/scheduling/*', '**/health/*', '**/metrics/*'],
              message: 'the migration tool does not import the app.',
            },
          ],
        },
      ],
    },
  },
  ...layerRules,
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
