// Two projects: `unit` (specs beside the code, no I/O) and `integration` (test/, against the real
// Fabric network and Postgres, which globalSetup starts when they are not running).
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
const moduleNameMapper = {
  '^@pedigree/(domain|ledger|forecasting|platform)$': '<rootDir>/libs/$1/src',
  '^@pedigree/(domain|ledger|forecasting|platform)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
// fabric-gateway requires @noble/curves, which ships only ES modules: compile those to CommonJS.
const esmOnly = ['@noble'];
const common = {
  transform: { '^.+\\.ts$': swc, '^.+\\.js$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/chaincode', '<rootDir>/infra'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
      testTimeout: 180000,
    },
  ],
};
