import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { NetworkPaths } from './topology';
import { mtlsRequest, type TlsFiles } from './tls';

/** A long-running process of the network, started detached with its own log and pid file. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** The network namespace of its organisation's host, when hosts are namespaced: it runs there (`ip netns exec`). */
  readonly namespace?: string;
  /** The address it binds (its organisation's host) and the port it serves; status shows them and readiness waits for them. */
  readonly host: string;
  readonly port: number;
  /** URL answering 200 when healthy (Fabric's operations /healthz); else a TCP connect is the check. */
  readonly healthUrl?: string;
  /** The client certificate an https healthUrl asks for (operations endpoints take mutual TLS only). */
  readonly healthTls?: TlsFiles;
}

export interface ProcessStatus {
  readonly name: string;
  readonly pid?: number;
  readonly running: boolean;
  readonly port: number;
  readonly healthy: boolean;
  readonly detail: string;
  /** Resident memory now and its peak (VmRSS, VmHWM), in MiB, where /proc tells. */
  readonly rssMiB?: number;
  readonly peakRssMiB?: number;
}

export function pidFile(p: NetworkPaths, name: string): string {
  return path.join(p.pids, `${name}.pid`);
}

export function logFile(p: NetworkPaths, name: string): string {
  return path.join(p.logs, `${name}.log`);
}

export function readPid(p: NetworkPaths, name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(p, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed process whose parent has not reaped it yet still answers signal 0: a zombie is dead.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * The command line that runs a command on its organisation's host: through `ip netns exec` in its
 * namespace (which enters it and execs the command in place, so the pid is the command's own), or
 * as it is on loopback hosts.
 */
export function inHost(namespace: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return namespace ? ['ip', ['netns', 'exec', namespace, command, ...args]] : [command, [...args]];
}

export function start(p: NetworkPaths, spec: ProcessSpec): number {
  fs.mkdirSync(p.logs, { recursive: true });
  fs.mkdirSync(p.pids, { recursive: true });
  const log = fs.openSync(logFile(p, spec.name), 'a');
  fs.writeSync(log, `\n--- ${new Date().toISOString()} start ${spec.namespace ? `(in ${spec.namespace}) ` : ''}${spec.command} ${spec.args.join(' ')}\n`);
  // Detached in its own process group, stdio to the log file only: the process outlives the CLI
  // that started it and holds no pipe of the caller (CI would otherwise wait on it).
  const [command, args] = inHost(spec.namespace, spec.command, spec.args);
  const child = spawn(command, args, {
    cwd: spec.cwd ?? p.root, env: spec.env, detached: true, stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  if (!child.pid) throw new Error(`could not start ${spec.name}: ${spec.command}`);
  child.unref();
  fs.writeFileSync(pidFile(p, spec.name), `${child.pid}\n`);
  return child.pid;
}

export async function stop(p: NetworkPaths, name: string, graceMs = 5000): Promise<boolean> {
  const pid = readPid(p, name);
  if (!isAlive(pid)) {
    fs.rmSync(pidFile(p, name), { force: true });
    return false;
  }
  signal(pid!, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal(pid!, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  fs.rmSync(pidFile(p, name), { force: true });
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  // The whole group: a process that forked helpers takes them with it.
  try { process.kill(-pid, sig); } catch { try { process.kill(pid, sig); } catch { /* gone */ } }
}

export async function probe(spec: Pick<ProcessSpec, 'host' | 'port' | 'healthUrl' | 'healthTls'>): Promise<{ healthy: boolean; detail: string }> {
  if (spec.healthUrl) {
    try {
      if (spec.healthTls) {
        const res = await mtlsRequest(spec.healthUrl, spec.healthTls, { timeoutMs: 2000 });
        return { healthy: res.ok, detail: res.body.trim().slice(0, 200) };
      }
      const res = await fetch(spec.healthUrl, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      return { healthy: res.ok, detail: body.trim().slice(0, 200) };
    } catch (err) {
      return { healthy: false, detail: (err as Error).message };
    }
  }
  const open = await portOpen(spec.port, spec.host);
  return { healthy: open, detail: open ? 'listening' : 'not listening' };
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function status(p: NetworkPaths, spec: ProcessSpec): Promise<ProcessStatus> {
  const pid = readPid(p, spec.name);
  const running = isAlive(pid);
  const { healthy, detail } = running ? await probe(spec) : { healthy: false, detail: 'not running' };
  const memory = running ? residentMemory(pid!) : {};
  return { name: spec.name, pid: running ? pid : undefined, running, port: spec.port, healthy, detail, ...memory };
}

export function residentMemory(pid: number): { rssMiB?: number; peakRssMiB?: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return {};
  }
}

export async function waitHealthy(p: NetworkPaths, spec: ProcessSpec, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const s = await status(p, spec);
    if (s.healthy) return;
    if (!s.running) {
      throw new Error(`${spec.name} exited during start-up; see ${logFile(p, spec.name)}:\n${tail(logFile(p, spec.name), 15)}`);
    }
    last = s.detail;
    await sleep(250);
  }
  throw new Error(`${spec.name} not healthy after ${timeoutMs} ms (${last}); see ${logFile(p, spec.name)}`);
}

export function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts a process unless it is already healthy (a running one gets its start-up window first) and
 * waits until it is; refuses a port some other process holds. True when it started it.
 */
export async function ensureRunning(paths: NetworkPaths, spec: ProcessSpec, log: (line: string) => void): Promise<boolean> {
  const s = await status(paths, spec);
  if (s.healthy) return false;
  if (s.running) {
    // Running but not (yet) healthy: give it the start-up window before calling it broken.
    try {
      await waitHealthy(paths, spec, 30_000);
      return false;
    } catch (err) {
      if (isAlive(readPid(paths, spec.name))) throw err;
      // It died while we waited: start it afresh below.
    }
  }
  // A process just stopped may hold its port a moment longer (the kernel closes its sockets after exit).
  for (let i = 0; i < 50 && (await portOpen(spec.port, spec.host)); i++) await sleep(100);
  if (await portOpen(spec.port, spec.host)) {
    throw new Error(`port ${spec.port} for ${spec.name} is taken by a process this network did not start`);
  }
  log(`starting ${spec.name} on ${spec.host}:${spec.port}`);
  start(paths, spec);
  await waitHealthy(paths, spec);
  return true;
}
