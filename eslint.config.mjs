import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', '.network/', '.data/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // The layering the folder tree shows: libs never reach into apps, infra or the chaincode; the
  // domain is pure (no I/O, no framework); the platform does not depend on the ledger adapter.
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps/**', '**/infra/**', '**/chaincode/**'], message: 'libs/ must not import apps/, infra/ or chaincode/' }] }] },
  },
  {
    files: ['libs/domain/**/*.ts'],
    ignores: ['libs/domain/src/cli/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/apps/**', '**/infra/**', '**/chaincode/**'], message: 'libs/ must not import apps/, infra/ or chaincode/' },
          { group: ['node:fs', 'node:net', 'node:http', 'node:https', 'node:child_process', 'fs', 'net', 'http', 'child_process', 'pg', 'typeorm', '@nestjs/*', '@hyperledger/*', 'fabric-*', '@pedigree/*'], message: 'the domain is pure: no I/O, no framework, no other lib' },
        ],
      }],
    },
  },
  {
    files: ['libs/platform/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/apps/**', '**/infra/**', '**/chaincode/**'], message: 'libs/ must not import apps/, infra/ or chaincode/' },
          { group: ['@pedigree/ledger', '@pedigree/readmodel', '@pedigree/partner', '@hyperledger/*'], message: 'the platform does not depend on the ledger adapter or the read model' },
        ],
      }],
    },
  },
);
