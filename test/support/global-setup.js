// Starts the real Fabric network for the integration suite when it is not already running, and
// remembers whether it did, so that global-teardown stops only what this run started. Refuses a
// dist/ older than the sources first (infra/bin/fresh-build.js): the suites run the built code.
// The network CLI's lines are kept and shown only when it fails: one line here when it works.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { assertFreshBuild } = require('../../infra/bin/fresh-build');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../..');
  try {
    assertFreshBuild(root);
  } catch (err) {
    // An expected condition with its fix: one line, not Jest's stack of its own global-setup runner.
    process.stderr.write(`\n[integration] ${err.message}\n`);
    process.exit(1);
  }
  const cli = path.join(root, 'dist/infra/src/cli/network.js');
  // Which hosts the organisations run on, recorded in the network home before anything reads the
  // topology: a namespace each where root and `ip netns` allow (PEDIGREE_HOSTS=loopback turns it
  // off), else the loopback addresses of consortium.yaml. One line says which.
  const hosts = spawnSync(process.execPath, [cli, 'hosts', 'auto'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (hosts.status !== 0) throw new Error(`choosing the hosts failed: ${hosts.stdout}${hosts.stderr}`);
  process.stderr.write(`\n[integration] ${hosts.stdout.trim()}\n`);
  // Anything of the network already running means someone else started it: leave it running after.
  const { Network } = require(path.join(root, 'dist/infra/src/network/network.js'));
  const running = (await new Network(undefined, () => undefined).status()).some((s) => s.running);
  const started = Date.now();
  // `up` also upgrades the chaincode when its code changed, so it runs even on a running network.
  const up = spawnSync(process.execPath, [cli, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  if (up.status !== 0) {
    process.stderr.write(`${up.stdout}${up.stderr}`);
    throw new Error(`network up failed (${up.status ?? up.signal}): its output is above`);
  }
  process.stderr.write(`\n[integration] network ${running ? 'was running' : 'started'} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  globalThis.__PEDIGREE_STARTED_NETWORK__ = !running && !process.env.PEDIGREE_KEEP_NETWORK;
};
