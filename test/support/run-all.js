// `npm test`: every test. Jest first runs the unit and integration projects; the fault suite, which
// SIGKILLs the orderer, a peer, the chaincode service and Postgres for minutes, then runs on its own:
// inside the same Jest run, a machine with more cores would run it beside other suites and break
// them. Arguments (`npm test -- <pattern>`) go to Jest alone and skip the fault run, as before;
// PEDIGREE_FAULTS=full makes the fault run longer, PEDIGREE_FAULTS=off skips it. Last, the scale
// suite (test/scale: a 100,000-pack lot recalled), after which no other suite replays that lot.
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

const { PEDIGREE_FAULTS: _omit, PEDIGREE_SCALE: _omitScale, ...env } = process.env;
// One network for all three runs, stopped at the end if this run started it: a whole restart of
// the three-node Raft cluster between runs came back without a leader in a fresh-clone run (voters
// replayed from the WAL as node 1 alone; under investigation, see the closing note of 2026-12-01).
const withoutFaults = args.length ? env : { ...env, PEDIGREE_KEEP_NETWORK: '1' };
const networkCli = path.join(root, 'dist/infra/src/cli/network.js');
const wasRunning = spawnSync(process.execPath, [networkCli, 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
const first = jestRun(args, args.length ? process.env : withoutFaults);
if (args.length) process.exit(first);
let second = 0;
if (faults !== 'off') {
  process.stderr.write(`\n[faults] the fault suite, alone (PEDIGREE_FAULTS=${faults})\n`);
  second = jestRun(['test/faults', '--selectProjects', 'integration'], { ...withoutFaults, PEDIGREE_FAULTS: faults });
}
// Last: a 100,000-pack lot on the ledger, which every later fresh read model would replay first.
process.stderr.write('\n[scale] the 100,000-pack recall, last\n');
const third = jestRun(['test/scale', '--selectProjects', 'integration'], { ...withoutFaults, PEDIGREE_SCALE: '1' });
if (!wasRunning) spawnSync(process.execPath, [networkCli, 'down'], { cwd: root, stdio: 'ignore' });
process.exit(first || second || third);
