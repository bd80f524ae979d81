import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { SetupFailure } from './setup-failure';

/** A process listening on a TCP port: its pid and command line, as far as this user can see. */
export interface PortHolder {
  readonly pid: number;
  readonly command: string;
}

/**
 * Who listens on `port`: the socket's inode from /proc/net/tcp{,6}, then the process holding that
 * inode among /proc/<pid>/fd. Without procfs (or without the right to read another user's fds),
 * `ss -ltnp` when installed. Undefined when nobody listens or the holder is not visible.
 */
export function portHolder(port: number): PortHolder | undefined {
  return fromProcfs(port) ?? fromSs(port);
}

/**
 * "pid 123 (node dist/apps/web/src/main.js)"; else, when no one listens but a connection has the
 * port as its own end (the kernel hands out ephemeral ports to outgoing connections), that and the
 * range; else a note that the holder is not visible.
 */
export function describeHolder(port: number): string {
  const holder = portHolder(port);
  if (holder) return `pid ${holder.pid} (${holder.command})`;
  const range = ephemeralRange();
  if (localSockets(port).some((s) => s.state !== '0A') && range && port >= range[0] && port <= range[1]) {
    return `a connection's own end: ${range[0]}-${range[1]} is the kernel's range for outgoing connections (net.ipv4.ip_local_port_range), so use ports outside it`;
  }
  return 'a process this user cannot see (try `ss -ltnp` as root)';
}

/** True when nothing listens on 127.0.0.1:`port` (tried by listening on it, the only sure test). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Throws a SetupFailure naming `what` and the process holding its port, unless the port is free. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (await isPortFree(port)) return;
  throw new SetupFailure(portTakenMessage(port, what));
}

export function portTakenMessage(port: number, what: string): string {
  return `port ${port} (${what}) is already in use by ${describeHolder(port)}; stop it, or shift every port with PEDIGREE_PORT_OFFSET=<n>`;
}

/** Sockets whose local end is `port`, from /proc/net/tcp{,6}: state (0A is LISTEN) and inode. */
function localSockets(port: number): Array<{ state: string; inode: string }> {
  const found: Array<{ state: string; inode: string }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT, then rem_address, st; the inode is the tenth column.
      if (f.length > 9 && parseInt(f[1].split(':')[1], 16) === port) found.push({ state: f[3], inode: f[9] });
    }
  }
  return found;
}

function ephemeralRange(): [number, number] | undefined {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return [low, high];
  } catch {
    return undefined;
  }
}

function fromProcfs(port: number): PortHolder | undefined {
  const inodes = new Set(localSockets(port).filter((s) => s.state === '0A' && s.inode !== '0').map((s) => s.inode));
  if (!inodes.size) return undefined;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = target.match(/^socket:\[(\d+)\]$/);
      if (m && inodes.has(m[1])) return { pid: Number(pid), command: commandOf(Number(pid)) };
    }
  }
  return undefined;
}

function fromSs(port: number): PortHolder | undefined {
  const r = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', timeout: 5000 });
  const m = r.status === 0 ? r.stdout.match(/pid=(\d+)/) : null;
  return m ? { pid: Number(m[1]), command: commandOf(Number(m[1])) } : undefined;
}

function commandOf(pid: number): string {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd || '?';
  } catch {
    return '?';
  }
}
