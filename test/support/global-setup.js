// Starts the real Fabric network for the integration suite when it is not already running, and
// remembers whether it did, so that global-teardown stops only what this run started.
// Runs after `npm run build` (the test script builds first), so the network CLI is compiled.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../..');
  const cli = path.join(root, 'dist/infra/src/cli/network.js');
  // Anything of the network already running means someone else started it: leave it running after.
  const { Network } = require(path.join(root, 'dist/infra/src/network/network.js'));
  const running = (await new Network(undefined, () => undefined).status()).some((s) => s.running);
  const started = Date.now();
  // `up` also upgrades the chaincode when its code changed, so it runs even on a running network.
  execFileSync(process.execPath, [cli, 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stderr.write(`\n[integration] network ${running ? 'was running' : 'started'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  globalThis.__PEDIGREE_STARTED_NETWORK__ = !running && !process.env.PEDIGREE_KEEP_NETWORK;
};
