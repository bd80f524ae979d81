import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportOrganisation } from '../network/exchange';
import { exportFile, Network } from '../network/network';
import { chooseHosts } from '../network/hosts';
import { PEER_ORGS } from '../network/topology';

const USAGE = [
  'usage: network.js up|down|reset|status|hosts [namespaces|loopback|auto|show]',
  '       network.js up|down|status --org <key>        one organisation on its own machine',
  '       network.js export --org <key> [--out <file>] its public material, for the other founders',
  '       network.js import <file> --org <key>         a partner\'s export',
  '       network.js genesis                            the genesis block, from every founder\'s material (one founder)',
  '       network.js genesis --from <file> --org <key>  the genesis block another founder sent',
].join('\n');

/** `--name value` from the arguments, and the arguments without the flags. */
function parseArgs(args: readonly string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${a} needs a value\n${USAGE}`);
    flags[a.slice(2)] = value;
    i++;
  }
  return { positional, flags };
}

/** `npm run network:{up,down,reset,status}` and `npm run network -- …`. Exit code 0 on success; status exits 1 when unhealthy. */
async function main(argv: readonly string[]): Promise<number> {
  const { positional: [command, ...rest], flags } = parseArgs(argv);
  const org = flags.org;
  const network = new Network();
  switch (command) {
    case 'up': {
      const started = Date.now();
      if (org) {
        const { changed, waitingFor } = await network.upOrg(org);
        for (const c of changed) console.log(`  changed: ${c}`);
        if (waitingFor) {
          console.log(`${org}: identities ready; next, ${waitingFor}`);
          return 0;
        }
        console.log(`${org} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return printStatus(network, org);
      }
      const { changed } = await network.up();
      for (const c of changed) console.log(`  changed: ${c}`);
      console.log(`network up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return printStatus(network);
    }
    case 'down': {
      const stopped = org ? await network.downOrg(org) : await network.down();
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'reset':
      await network.reset();
      console.log(`network stopped and ledger data wiped (${network.paths.home}); logs kept`);
      return 0;
    case 'status':
      return printStatus(network, org);
    case 'hosts': {
      // `hosts namespaces|loopback|auto`: what this network home runs on, recorded for every later command.
      console.log(chooseHosts(network.paths, rest[0] ?? 'show'));
      return 0;
    }
    case 'export': {
      const member = PEER_ORGS.find((o) => o.key === org);
      if (!member) throw new Error(`export needs --org <key> of a member\n${USAGE}`);
      const out = flags.out ?? exportFile(network.paths, member.key);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, `${JSON.stringify(exportOrganisation(network.paths, member), null, 2)}\n`);
      console.log(`${member.mspId}: public material (MSP, peer and ordering node TLS certificates; no keys) in ${out}`);
      return 0;
    }
    case 'import': {
      if (!rest[0]) throw new Error(`import needs a file\n${USAGE}`);
      console.log(network.importPartner(rest[0], org));
      return 0;
    }
    case 'genesis': {
      if (flags.from) {
        if (!org) throw new Error(`genesis --from needs --org <key>, the organisation taking it\n${USAGE}`);
        console.log(`genesis block taken: ${await network.takeGenesis(flags.from, org)}`);
        return 0;
      }
      console.log(`genesis block: ${await network.genesis()} (send it to the other founders)`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

async function printStatus(network: Network, org?: string): Promise<number> {
  const own = org === undefined ? undefined : PEER_ORGS.find((o) => o.key === org);
  if (org !== undefined && !own) throw new Error(`no member "${org}"`);
  const rows = own ? await Promise.all(network.specsOf(own).map((s) => network.processStatus(s))) : await network.status();
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const state = r.healthy ? 'healthy' : r.running ? 'UNHEALTHY' : 'stopped';
    const memory = r.rssMiB === undefined ? ''.padEnd(26) : `rss ${r.rssMiB.toFixed(0).padStart(4)} MiB (peak ${r.peakRssMiB!.toFixed(0).padStart(4)})`;
    console.log(`${r.name.padEnd(width)}  pid ${String(r.pid ?? '-').padEnd(8)} port ${r.port}  ${state.padEnd(9)} ${memory}  ${r.detail.slice(0, 60)}`);
  }
  const total = (k: 'rssMiB' | 'peakRssMiB') => rows.reduce((sum, r) => sum + (r[k] ?? 0), 0);
  console.log(`network memory: rss ${total('rssMiB').toFixed(0)} MiB now, at most ${total('peakRssMiB').toFixed(0)} MiB at peak (sum of per-process peaks)`);
  console.log(chooseHosts(network.paths, 'show'));
  console.log(`logs: ${network.paths.logs}`);
  return rows.every((r) => r.healthy) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`network: ${err.message}`);
    process.exit(1);
  },
);
