// `npm test`: every test. Jest first runs the unit and integration projects; the fault suite, which
// SIGKILLs the orderer, a peer, the chaincode service and Postgres for minutes, then runs on its own:
// inside the same Jest run, a machine with more cores would run it beside other suites and break
// them. Arguments (`npm test -- <pattern>`) go to Jest alone and skip the fault run, as before;
// PEDIGREE_FAULTS=full makes the fault run longer, PEDIGREE_FAULTS=off skips it.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const jest = path.join(root, 'node_modules/jest/bin/jest.js');
const args = process.argv.slice(2);
const faults = process.env.PEDIGREE_FAULTS ?? 'ci';

function jestRun(jestArgs, env) {
  const r = spawnSync(process.execPath, [jest, ...jestArgs], { cwd: root, stdio: 'inherit', env });
  return r.status ?? 1;
}

const { PEDIGREE_FAULTS: _omit, ...withoutFaults } = process.env;
const first = jestRun(args, args.length ? process.env : withoutFaults);
if (args.length || faults === 'off') process.exit(first);
process.stderr.write(`\n[faults] the fault suite, alone (PEDIGREE_FAULTS=${faults})\n`);
const second = jestRun(['test/faults', '--selectProjects', 'integration'], { ...process.env, PEDIGREE_FAULTS: faults });
process.exit(first || second);
