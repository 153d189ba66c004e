// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Layering (ARCHITECTURE.md): the core and the protocol never see VS Code; only extension/vscode/ may. */
export const vscodeImportBan = {
  paths: [
    {
      name: 'vscode',
      message:
        'extension/core and extension/protocol must not import vscode: pass what they need through a port.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'media/webview/',
      'test-results/',
      'test/fixtures/**',
      '!test/fixtures/fake-model/**',
      '!test/fixtures/agents-env/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.mjs', 'extension/build/*.mjs', 'test/*/*.mjs', 'test/*/*.cjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['extension/core/**', 'extension/protocol/**', 'extension/cli/**', 'webview/**'],
    rules: {
      'no-restricted-imports': ['error', vscodeImportBan],
      '@typescript-eslint/no-restricted-imports': ['error', vscodeImportBan],
    },
  },
  {
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
