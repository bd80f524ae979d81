const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalTeardown() {
  if (!globalThis.__PEDIGREE_STARTED_NETWORK__) return;
  const root = path.resolve(__dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'dist/infra/src/cli/network.js'), 'down'], { stdio: 'ignore' });
};
