// ESLint (flat config): typescript-eslint strict-type-checked, React hooks and import cycles.
// `npm test` runs it in its 'lint' stage beside `prettier --check`; formatting is Prettier's job.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.next/',
      '.state/',
      '.ci/',
      'test-results/',
      'playwright-report/',
      'coverage/',
      'deploy/',
      // Local, git-ignored bundles of the GPU bench (scripts/gpu-offline): generated code.
      '.gpu/',
      '.gl/',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  reactHooks.configs.flat.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    // Exceptions to strict-type-checked, each for a rule whose hits in this codebase are idiom, not defect:
    rules: {
      // React's onSubmit={async …} and onClick={async …} are fine: React ignores the returned promise
      // and the handlers report their own errors. Promises passed elsewhere are still checked.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // With noUncheckedIndexedAccess every a[i] is `T | undefined`; `!` marks the hundreds of
      // indexes the numeric code has just bounds-checked. Rewriting them adds no safety.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and booleans in messages and keys are what the template is for.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void x()` and `onClick={() => setX(1)}` are the house style for fire-and-forget callbacks.
      // `return send(res, …)` ends a void handler in one statement; the returned value is void either way.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
      // Interface implementations (ObjectStore, handlers) are `async` so that a throw is a rejection,
      // whether or not the body awaits.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names are deliberately unused (destructuring something away, positional args).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // Tests and browser tests read response bodies as untyped JSON and assert on their fields: a
    // body of the wrong shape fails the assertion, which is the check. Typing every body twice (once
    // for the compiler, once in the expectation) adds nothing, so `any` is allowed there only.
    files: ['tests/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // afterAll cleans up whatever beforeAll managed to create (`await worker?.stop()`): a variable
      // typed as assigned is still undefined there when the set-up itself failed.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
);
