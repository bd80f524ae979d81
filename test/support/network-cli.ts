import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './ledger';

const exec = promisify(execFile);

/** The built network or consortium CLI, as an operator runs it; its stdout, or an error with all it said. */
export async function cli(script: 'consortium' | 'network', ...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(process.execPath, [path.join(ROOT, `dist/infra/src/cli/${script}.js`), ...args], { cwd: ROOT, env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${script} ${args.join(' ')} failed: ${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}
