// Whether dist/ holds the build of the sources: every source file the build compiles must have its
// output, at least as new; the web screens' sources against dist/web. The integration tests run
// what is in dist/ (services as processes, the network CLI), so test/support/global-setup.js refuses
// a stale one with what to run. `node infra/bin/fresh-build.js` builds only when dist/ is stale
// (the build's output on stderr), so quick commands such as `npm run -s scan` do not rebuild each call.
const fs = require('node:fs');
const path = require('node:path');

const SOURCE_ROOTS = ['apps', 'libs', 'chaincode', 'infra'];
const SKIP = new Set(['node_modules', 'dist', 'testing', 'test', 'client', '.cache']);

function* sources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) yield* sources(p);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield p;
    }
  }
}

/** The first source newer than its output (or without one), relative to `root`; undefined when dist/ is current. */
function staleSource(root) {
  const mtime = (p) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs;
  for (const top of SOURCE_ROOTS) {
    for (const src of sources(path.join(root, top))) {
      const rel = path.relative(root, src);
      const out = mtime(path.join(root, 'dist', rel.replace(/\.ts$/, '.js')));
      if (out === undefined || out < mtime(src)) return rel;
    }
  }
  const page = mtime(path.join(root, 'dist/web/index.html'));
  const client = path.join(root, 'apps/web/client');
  for (const file of [...fs.readdirSync(path.join(client, 'src')).map((f) => path.join('src', f)), 'index.html']) {
    if (page === undefined || page < mtime(path.join(client, file))) return path.join('apps/web/client', file);
  }
  return undefined;
}

function assertFreshBuild(root) {
  const stale = staleSource(root);
  if (stale) throw new Error(`dist/ is older than ${stale}: run \`npm run build\` first (npm test and npm run test:integration build for you)`);
}

module.exports = { assertFreshBuild, staleSource };

if (require.main === module) {
  const root = path.resolve(__dirname, '../..');
  if (staleSource(root)) {
    const { spawnSync } = require('node:child_process');
    const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
    process.exit(r.status ?? 1);
  }
}
