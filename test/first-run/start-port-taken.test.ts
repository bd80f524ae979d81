import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isPortFree } from '@pedigree/host';
import { PEER_ORGS } from '../../infra/src/network/topology';

/**
 * `npm start` (node dist/infra/src/cli/start.js) is all or nothing. With a port it needs already
 * taken it says which port, held by which process, exits 1, and leaves no process behind: neither
 * when the port is found before anything starts (a service's own port) nor when a service dies
 * while the others are starting (its embedded Postgres's port), which is when an orphan used to be
 * left holding port 4000. Uses the run's network (started by global-setup) and its port offset.
 */
const ROOT = path.resolve(__dirname, '../..');
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const WEB_PORT = 4000 + OFFSET;
const SERVICE_PORTS = [4000, 4001, 4002, 4003, 4004].map((p) => p + OFFSET);
const POSTGRES_PORTS = [5411, 5412, 5413, 5414].map((p) => p + OFFSET);

let dataDir: string;

beforeAll(async () => {
  for (const port of [...SERVICE_PORTS, ...POSTGRES_PORTS]) {
    if (!(await isPortFree(port))) throw new Error(`port ${port} is in use before the test: is an npm start of this copy (PEDIGREE_PORT_OFFSET=${OFFSET}) running?`);
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-start-'));
});

afterAll(() => {
  if (!dataDir) return;
  for (const entry of fs.readdirSync(dataDir)) {
    const p = path.join(dataDir, entry);
    if (fs.lstatSync(p).isSymbolicLink()) fs.rmSync(fs.readlinkSync(p), { recursive: true, force: true });
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Holds 127.0.0.1:`port` in this process, as another program would. */
function hold(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Holds 127.0.0.1:`port` on the manufacturer's host, where its embedded Postgres will want it: on
 * namespaced hosts (the run as root) that loopback is its namespace's own, so the holder is a
 * process started there; on loopback hosts it is this process.
 */
async function holdOnManufacturerHost(port: number): Promise<{ pid: number; close: () => Promise<void> }> {
  const namespace = PEER_ORGS.find((o) => o.app === 'manufacturer')?.namespace;
  if (!namespace) {
    const server = await hold(port);
    return { pid: process.pid, close: () => new Promise((r) => server.close(() => r())) };
  }
  const script = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n')); setInterval(() => undefined, 60000);`;
  // ip netns exec execs the command: the holder keeps the pid spawn reports.
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => { if (b.toString().includes('ready')) resolve(); });
    child.once('exit', (code) => reject(new Error(`the port holder in ${namespace} exited (${code})`)));
  });
  return { pid: child.pid!, close: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGKILL'); }) };
}

/** Runs start.js to its end with a mark in its environment that every process it starts inherits. */
function start(mark: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['dist/infra/src/cli/start.js'], {
    cwd: ROOT,
    env: { ...process.env, PEDIGREE_DATA_DIR: dataDir, PEDIGREE_START_TEST: mark },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (b: Buffer) => { output += b.toString(); });
  child.stderr?.on('data', (b: Buffer) => { output += b.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** Processes whose environment carries `mark`: whatever start.js started and left running. */
function leftBehind(mark: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PEDIGREE_START_TEST=${mark}`)) {
        found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')}`);
      }
    } catch { /* gone, or not ours to read */ }
  }
  return found;
}

it('a service port already taken is refused before anything starts, naming the process holding it', async () => {
  const holder = await hold(WEB_PORT);
  try {
    const { code, output } = await start(`web-${process.pid}`);
    expect(code).toBe(1);
    expect(output).toContain(`start: port ${WEB_PORT} (web screens) is already in use by pid ${process.pid} (`);
    expect(output).not.toMatch(/\n\s+at /); // one line, no stack trace
    expect(output).not.toContain('Pedigree is up');
    expect(leftBehind(`web-${process.pid}`)).toEqual([]);
  } finally {
    await new Promise((r) => holder.close(r));
  }
});

it('a service that dies while the others start: named with why, everything stopped, exit 1, nothing left', async () => {
  const port = POSTGRES_PORTS[0]; // the manufacturer's embedded Postgres
  const holder = await holdOnManufacturerHost(port);
  try {
    const { code, output } = await start(`pg-${process.pid}`);
    expect(code).toBe(1);
    expect(output).toContain(`start: manufacturer exited (code 1): port ${port} (embedded Postgres, ${path.join(dataDir, 'manufacturer')}) is already in use by pid ${holder.pid} (`);
    expect(output).toContain('start: stopped everything it started');
    expect(output).not.toContain('Pedigree is up');
    expect(output).not.toMatch(/\n\s+at /);
    expect(leftBehind(`pg-${process.pid}`)).toEqual([]);
    for (const p of [...SERVICE_PORTS, ...POSTGRES_PORTS.slice(1)]) expect({ port: p, free: await isPortFree(p) }).toEqual({ port: p, free: true });
  } finally {
    await holder.close();
  }
}, 180_000);
