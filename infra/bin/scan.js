// `npm run -s scan` in one Node process: runs the scan CLI from dist/ and rebuilds only when the
// domain's sources are newer than their build (then only libs/domain, via its tsconfig.cli.json:
// about 4 s once, instead of the whole project). A fresh dist/ costs a few dozen stat calls.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const srcRoot = path.join(root, 'libs/domain/src');
const distRoot = path.join(root, 'dist/libs/domain/src');

function staleSource(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const stale = staleSource(p);
      if (stale) return stale;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      const out = fs.statSync(path.join(distRoot, path.relative(srcRoot, p)).replace(/\.ts$/, '.js'), { throwIfNoEntry: false });
      if (!out || out.mtimeMs < fs.statSync(p).mtimeMs) return p;
    }
  }
  return undefined;
}

if (staleSource(srcRoot)) {
  const { spawnSync } = require('node:child_process');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'libs/domain/tsconfig.cli.json')], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { runScanCli } = require(path.join(distRoot, 'cli/scan.js'));
const { output, exitCode } = runScanCli(process.argv.slice(2), () => (process.stdin.isTTY ? '' : fs.readFileSync(0, 'utf8')));
process.stdout.write(output);
process.exitCode = exitCode;
