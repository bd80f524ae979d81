import { Network } from '../network/network';
import { chooseHosts } from '../network/hosts';

/** `npm run network:{up,down,reset,status}`. Exit code 0 on success; status exits 1 when unhealthy. */
async function main(command: string | undefined): Promise<number> {
  const network = new Network();
  switch (command) {
    case 'up': {
      const started = Date.now();
      const { changed } = await network.up();
      for (const c of changed) console.log(`  changed: ${c}`);
      console.log(`network up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return printStatus(network);
    }
    case 'down': {
      const stopped = await network.down();
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'reset':
      await network.reset();
      console.log(`network stopped and ledger data wiped (${network.paths.home}); logs kept`);
      return 0;
    case 'status':
      return printStatus(network);
    case 'hosts': {
      // `hosts namespaces|loopback|auto`: what this network home runs on, recorded for every later command.
      console.log(chooseHosts(network.paths, process.argv[3] ?? 'show'));
      return 0;
    }
    default:
      console.error('usage: network.js up|down|reset|status|hosts [namespaces|loopback|auto|show]');
      return 2;
  }
}

async function printStatus(network: Network): Promise<number> {
  const rows = await network.status();
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

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`network: ${err.message}`);
    process.exit(1);
  },
);
