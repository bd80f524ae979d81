import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { servicePort } from '@pedigree/platform';
import { Network } from '../network/network';
import { projectRoot } from '../network/topology';

/**
 * `npm start`: the whole system on this machine — the Fabric network (left running on exit; stop it
 * with `npm run network:down`), then every service in the foreground with its log lines prefixed,
 * then demo data when a seeder is built. Ctrl-C stops the services.
 */
const SERVICES = ['manufacturer', 'distributor', 'dispenser', 'forecast', 'web'] as const;

async function main(): Promise<void> {
  const root = projectRoot();
  const t0 = Date.now();
  console.log('starting the Fabric network (first run builds Fabric from source: a few minutes)...');
  const network = new Network(undefined, (l) => console.log(`  network: ${l}`));
  await network.up();
  console.log(`network up in ${((Date.now() - t0) / 1000).toFixed(1)} s (logs: ${network.paths.logs})`);

  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  for (const service of SERVICES) {
    const main = path.join(root, 'dist/apps', service, 'src/main.js');
    // PORT would give every service the same port: each takes its role's default (plus any offset).
    const { PORT: _ignored, ...env } = process.env;
    // The demo keys of the printed logins; without PEDIGREE_DEMO=1 a service refuses to start unconfigured.
    const child = spawn(process.execPath, [main], { cwd: root, env: { PEDIGREE_DEMO: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    prefix(child, service);
    child.on('exit', (code, signal) => console.log(`[${service}] exited (${signal ?? code})`));
  }
  await Promise.all(SERVICES.map((s) => waitHealthy(s, servicePort(s))));

  const seeder = path.join(root, 'dist/infra/src/demo/seed.js');
  if (fs.existsSync(seeder)) {
    console.log('seeding demo data...');
    await new Promise<void>((resolve, reject) => {
      const seed = spawn(process.execPath, [seeder], { cwd: root, stdio: 'inherit' });
      seed.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`demo seeding failed (exit ${code})`))));
    });
  }

  console.log('\nPedigree is up:');
  for (const s of SERVICES.filter((x) => x !== 'web')) {
    console.log(`  ${s.padEnd(13)} http://127.0.0.1:${servicePort(s)}/graphql   health: http://127.0.0.1:${servicePort(s)}/health`);
  }
  const web = `http://127.0.0.1:${servicePort('web')}`;
  console.log('\nWeb screens (sign in by picking a demo user, or with a key):');
  console.log(`  pharmacist scan   ${web}/#/scan      demo-dispenser-pharmacist`);
  console.log(`  planner           ${web}/#/planner   demo-dispenser-planner (retrain: demo-dispenser-admin)`);
  console.log(`  partner console   ${web}/#/console   demo-<manufacturer|distributor|dispenser>-<operator|auditor|admin>`);
  console.log('  network status: npm run network:status    stop everything: Ctrl-C, then npm run network:down');
}

function prefix(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) console.log(`[${name}] ${line}`);
    });
  }
}

async function waitHealthy(service: string, port: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500 || res.status === 503) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${service} did not answer on port ${port} within ${timeoutMs / 1000} s`);
}

main().catch((err) => {
  console.error(`start: ${(err as Error).message}`);
  process.exit(1);
});
