import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import type { ChaincodeDeployment } from './topology';

export interface ChaincodePackage {
  readonly file: string;
  readonly label: string;
  readonly packageId: string;
  /** Digest of the code the chaincode server runs (and its collections); the definition's version. */
  readonly digest: string;
}

/**
 * Builds the chaincode-as-a-service package: an outer archive of metadata.json and code.tar.gz,
 * the latter holding only connection.json. A ccaas package does not contain the code, so the label
 * carries a digest of the compiled chaincode: a code change is a new package ID that every
 * organisation must approve. Archives are byte-stable (portable headers, fixed mtime and modes), so
 * the package ID is the same on every machine for the same code.
 */
export async function packageChaincode(root: string, outDir: string, address: string, cc: ChaincodeDeployment): Promise<ChaincodePackage> {
  const digest = chaincodeDigest(root, cc).slice(0, 16);
  const label = `${cc.name.replace(/[^A-Za-z0-9_]/g, '_')}_${digest}`;
  const stage = path.join(outDir, 'stage');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.join(stage, 'code'), { recursive: true });
  fs.mkdirSync(path.join(stage, 'outer'), { recursive: true });

  // Mutual TLS to the chaincode server; the certificates are each peer's own, added by the ccaas
  // builder on that peer (infra/builders/ccaas/bin/build), so the package (and its ID) holds no key.
  writeFixed(path.join(stage, 'code/connection.json'), JSON.stringify({ address, dial_timeout: '10s', tls_required: true, client_auth_required: true }));
  const opts = { gzip: true, portable: true, mtime: new Date(0), noDirRecurse: true } as const;
  await tar.create({ ...opts, cwd: path.join(stage, 'code'), file: path.join(stage, 'outer/code.tar.gz') }, ['connection.json']);
  writeFixed(path.join(stage, 'outer/metadata.json'), JSON.stringify({ type: 'ccaas', label }));
  fs.chmodSync(path.join(stage, 'outer/code.tar.gz'), 0o644);
  const file = path.join(outDir, `${label}.tgz`);
  await tar.create({ ...opts, cwd: path.join(stage, 'outer'), file }, ['metadata.json', 'code.tar.gz']);
  fs.rmSync(stage, { recursive: true, force: true });

  const packageId = `${label}:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  return { file, label, packageId, digest };
}

function writeFixed(file: string, content: string): void {
  fs.writeFileSync(file, content);
  fs.chmodSync(file, 0o644);
}

/** The compiled chaincode and every lib it imports, plus its collections: what the server runs. */
export function chaincodeDigest(root: string, cc: ChaincodeDeployment): string {
  const files: string[] = [];
  for (const source of cc.sources.map((s) => path.join(root, s))) {
    if (!fs.existsSync(source)) throw new Error(`${source} missing: run \`npm run build\` first`);
    if (fs.statSync(source).isDirectory()) files.push(...walk(source).filter((f) => f.endsWith('.js')));
    else files.push(source);
  }
  const h = createHash('sha256');
  for (const f of files.sort()) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}
