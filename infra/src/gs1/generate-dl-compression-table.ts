/**
 * Generates libs/domain/src/gs1/digital-link-compression.generated.ts: the GS1 Digital Link
 * compression's optimisation codes (two hex characters standing for a sequence of AIs, GS1 Digital
 * Link standard, compression section), read from the data of GS1's reference prototype rather than
 * re-typed. AI key lengths and value formats are not taken from it: the compressor derives them from
 * the Barcode Syntax Dictionary table (syntax-dictionary.generated.ts), the one source of AI formats.
 *
 * The prototype is not vendored: take it from github.com/gs1/GS1DigitalLinkCompressionPrototype and
 * name the file and its revision:
 *
 *   infra/bin/node24 node infra/src/gs1/generate-dl-compression-table.ts --toolkit <checkout>/src/GS1DigitalLinkToolkit.js --revision "<commit>" [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The JSON object literal assigned to `const <name> =` in the toolkit's source. */
export function objectLiteral(source: string, name: string): Record<string, string[]> {
  const m = new RegExp(`const ${name}\\s*=\\s*(\\{[^;]*?\\})\\s*;?\\s*\\n`).exec(source);
  if (!m) throw new Error(`generate-dl-compression-table: no "const ${name} = {...}" in the toolkit`);
  const table = JSON.parse(m[1] as string) as Record<string, unknown>;
  for (const [code, ais] of Object.entries(table)) {
    if (!/^[0-9A-F]{2}$/.test(code) || !Array.isArray(ais) || ais.some((a) => typeof a !== 'string' || !/^\d{2,4}$/.test(a))) {
      throw new Error(`generate-dl-compression-table: ${name}[${code}] is not a sequence of AIs`);
    }
  }
  return table as Record<string, string[]>;
}

export function render(table: Record<string, string[]>, revision: string): string {
  const rows = Object.keys(table).sort().map((code) => `  '${code}': [${(table[code] as string[]).map((a) => `'${a}'`).join(', ')}],`);
  return [
    '// GENERATED FILE - do not edit. Regenerate with infra/src/gs1/generate-dl-compression-table.ts (see its header).',
    '//',
    `// Source: the optimisation table (tableOpt) of GS1's Digital Link compression prototype, ${revision}.`,
    '// Each two-hex-character code, when it leads a compressed segment, stands for this sequence of AIs, whose values follow in order.',
    '',
    'export const COMPRESSION_OPTIMISATIONS: Readonly<Record<string, readonly string[]>> = {',
    ...rows,
    '};',
    '',
  ].join('\n');
}

// Run as a script (built, or straight from the source with node's type stripping), not when imported by its spec.
if (/generate-dl-compression-table\.(ts|js)$/.test(process.argv[1] ?? '')) {
  const toolkit = arg('toolkit');
  const revision = arg('revision');
  if (!toolkit || !revision) throw new Error('usage: --toolkit <GS1DigitalLinkToolkit.js> --revision <commit> [--check]');
  const out = path.resolve(process.cwd(), 'libs/domain/src/gs1/digital-link-compression.generated.ts');
  const text = render(objectLiteral(readFileSync(toolkit, 'utf8'), 'tableOpt'), `gs1/GS1DigitalLinkCompressionPrototype@${revision}`);
  if (process.argv.includes('--check')) {
    const same = readFileSync(out, 'utf8') === text;
    process.stdout.write(same ? 'up to date\n' : `${out} differs from what would be generated\n`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out}\n`);
}
