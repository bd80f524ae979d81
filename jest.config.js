// Two projects: `unit` (specs beside the code, no I/O) and `integration` (test/, against the real
// Fabric network and Postgres, which globalSetup starts when they are not running).
// ts-jest in transpile-only mode (isolatedModules): fast, and keeps decorator metadata for NestJS
// and fabric-contract-api. Type checking is `npm run typecheck`'s job (and the build's).
const tsJest = ['ts-jest', {
  tsconfig: { isolatedModules: true, allowJs: true, experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true, target: 'ES2022', module: 'commonjs' },
}];
const moduleNameMapper = {
  '^@pedigree/(domain|ledger|forecasting|platform|readmodel|partner|host|graphql-client)$': '<rootDir>/libs/$1/src',
  '^@pedigree/(domain|ledger|forecasting|platform|readmodel|partner|host|graphql-client)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
// fabric-gateway requires @noble/curves and auth requires jose, which ship only ES modules: compile those to CommonJS.
const esmOnly = ['@noble', 'jose'];
const common = {
  setupFiles: ['<rootDir>/test/support/quiet-libraries.js'],
  transform: { '^.+\\.[tj]s$': tsJest },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  // One line per suite; a failing suite's failures and what it printed (test/support/suite-reporter.js).
  // `--reporters=default` on the command line brings Jest's own back.
  reporters: ['<rootDir>/test/support/suite-reporter.js'],
  // Console output buffered per suite, so the reporter can show it beside a failure.
  verbose: false,
  projects: [
    {
      ...common,
      displayName: 'unit',
      setupFiles: [...common.setupFiles, '<rootDir>/test/support/unit-environment.js'],
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/chaincode', '<rootDir>/infra'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      // The fault suite kills network processes for minutes, so it never runs beside other suites:
      // `npm test` runs it after them, alone (test/support/run-all.js); `npm run test:faults` alone.
      // The scale suite leaves a 100,000-pack lot that every fresh read model then replays: last.
      testPathIgnorePatterns: [...(process.env.PEDIGREE_FAULTS ? [] : ['/test/faults/']), ...(process.env.PEDIGREE_SCALE ? [] : ['/test/scale/'])],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.js'],
    },
  ],
};
