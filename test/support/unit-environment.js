// Unit specs are pure: what a network home or a developer's shell says about the running network
// (its hosts record, port offset, consortium file, orderer count) must not change their answers.
// The integration run records namespaced hosts in the default home before the unit specs of the
// same Jest run load the topology, so this points them at a home that does not exist.
const os = require('node:os');
const path = require('node:path');

process.env.PEDIGREE_NETWORK_HOME = path.join(os.tmpdir(), `pedigree-unit-specs-have-no-network-${process.pid}`);
for (const name of ['PEDIGREE_PORT_OFFSET', 'PEDIGREE_CONSORTIUM', 'PEDIGREE_ORDERERS', 'PEDIGREE_HOSTS']) delete process.env[name];
