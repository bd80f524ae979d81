/**
 * Generates libs/domain/src/gs1/syntax-dictionary.generated.ts from the GS1 Barcode Syntax
 * Dictionary (gs1-syntax-dictionary.txt, the machine-readable form of GenSpecs §3) and the ISO
 * 3166 / ISO 4217 code lists the dictionary's iso* linters check against.
 *
 * The dictionary is not vendored: take it from the GS1 repository (github.com/gs1/gs1-syntax-dictionary)
 * and name the file and its revision:
 *
 *   npm run -s gs1:generate -- --dictionary <checkout>/gs1-syntax-dictionary.txt \
 *     --package-types <checkout>/src/lint_packagetype.c --revision "<commit or release>" [--check]
 *
 * `--check` writes nothing and exits 1 when the committed table differs from what would be
 * generated. Country and currency codes come from the npm packages i18n-iso-countries and
 * currency-codes (devDependencies), so no list is typed by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface Component {
  cset: 'N' | 'X' | 'Y' | 'Z';
  min: number;
  max: number;
  optional: boolean;
  linters: string[];
}

interface Entry {
  ai: string;
  title: string;
  fnc1: boolean;
  dlAttribute: boolean;
  components: Component[];
  req: string[][][];
  ex: string[];
  dlpkey?: string[][];
}

function fail(message: string): never {
  throw new Error(`generate-ai-table: ${message}`);
}

function parseComponent(token: string, line: number): Component {
  // "N13,csum,gcppos1", "[X..17]", "[N3],iso3166"
  const m = /^(\[)?([NXYZ])(\.\.)?(\d+)(\])?((?:,[a-z0-9]+)*)$/.exec(token);
  if (!m) fail(`line ${line}: cannot read component ${JSON.stringify(token)}`);
  const [, open, cset, range, len, close, linters] = m;
  if (Boolean(open) !== Boolean(close)) fail(`line ${line}: unbalanced [ ] in ${token}`);
  const max = Number(len);
  return {
    cset: cset as Component['cset'],
    min: range ? 1 : max,
    max,
    optional: Boolean(open),
    linters: (linters ?? '').split(',').filter((l) => l !== ''),
  };
}

function expandRange(ais: string, line: number): string[] {
  const m = /^(\d{2,4})(?:-(\d{2,4}))?$/.exec(ais);
  if (!m) fail(`line ${line}: bad AI or range ${ais}`);
  const from = m[1] as string;
  const to = m[2] ?? from;
  if (to.length !== from.length) fail(`line ${line}: range ${ais} mixes lengths`);
  const out: string[] = [];
  for (let n = Number(from); n <= Number(to); n++) out.push(String(n).padStart(from.length, '0'));
  return out;
}

export function parseDictionary(text: string): Entry[] {
  const entries: Entry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (/^\s*(#|$)/.test(raw)) return;
    const hash = raw.indexOf('#');
    const title = hash === -1 ? '' : raw.slice(hash + 1).trim();
    const tokens = (hash === -1 ? raw : raw.slice(0, hash)).trim().split(/\s+/);
    const ais = expandRange(tokens.shift() as string, line);
    let flags = '';
    if (tokens[0] !== undefined && /^[*?!"$%&'()+,\-./:;<=>@[\\\]^_`{|}~]+$/.test(tokens[0]) && !/^\[/.test(tokens[0])) flags = tokens.shift() as string;
    const components: Component[] = [];
    while (tokens.length > 0 && /^\[?[NXYZ]/.test(tokens[0] as string)) components.push(parseComponent(tokens.shift() as string, line));
    if (components.length === 0) fail(`line ${line}: no specification`);
    const req: string[][][] = [];
    const ex: string[] = [];
    let dlpkey: string[][] | undefined;
    for (const attr of tokens) {
      const [key, value] = attr.split('=', 2) as [string, string | undefined];
      if (key === 'req' && value) req.push(value.split(',').map((alt) => alt.split('+')));
      else if (key === 'ex' && value) ex.push(...value.split(','));
      else if (key === 'dlpkey') dlpkey = value ? value.split('|').map((seq) => seq.split(',')) : [[]];
      else fail(`line ${line}: unknown attribute ${attr}`);
    }
    for (const ai of ais) {
      entries.push({ ai, title, fnc1: !flags.includes('*'), dlAttribute: flags.includes('?'), components, req, ex, ...(dlpkey ? { dlpkey } : {}) });
    }
  });
  return entries;
}

interface CodeLists {
  packageTypes: string[];
  iso3166Numeric: string[];
  iso3166Alpha2: string[];
  iso4217Numeric: string[];
  sources: string;
}

/**
 * GS1 PackageTypeCode values, read from the string table in the dictionary's packagetype linter
 * source (src/lint_packagetype.c): the dictionary ships that code list nowhere else.
 */
export function readPackageTypes(source: string): string[] {
  const table = /packagetypes\[\]\[\d+\]\s*=\s*\{([^}]*)\}/.exec(source)?.[1];
  if (!table) fail('no packagetypes[] table in the packagetype linter source');
  const codes = [...table.matchAll(/"([0-9A-Z]{1,3})"/g)].map((m) => m[1] as string);
  if (codes.length < 100) fail(`only ${codes.length} package type codes found`);
  return [...new Set(codes)].sort();
}

function codeLists(root: string, packageTypes: string[]): CodeLists {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const countries = require('i18n-iso-countries') as { getNumericCodes(): Record<string, string>; getAlpha2Codes(): Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const currencies = require('currency-codes') as { numbers(): string[] };
  const version = (pkg: string): string => (JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  // ISO 3166 leaves 900-999 and the alpha-2 codes AA, QM-QZ, XA-XZ, ZZ to its users: the npm list
  // carries Kosovo's XK/983 that way, which is no ISO code (GS1's linter does not accept it either).
  const userAssignedAlpha2 = /^(AA|Q[M-Z]|X[A-Z]|ZZ)$/;
  const iso3166Numeric = Object.keys(countries.getNumericCodes()).filter((c) => /^\d{3}$/.test(c) && Number(c) < 900).sort();
  const iso3166Alpha2 = Object.keys(countries.getAlpha2Codes()).filter((c) => /^[A-Z]{2}$/.test(c) && !userAssignedAlpha2.test(c)).sort();
  const iso4217Numeric = [...new Set(currencies.numbers().filter((c) => /^\d{3}$/.test(c)))].sort();
  return { packageTypes, iso3166Numeric, iso3166Alpha2, iso4217Numeric, sources: `i18n-iso-countries ${version('i18n-iso-countries')}, currency-codes ${version('currency-codes')}` };
}

const q = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const list = (items: readonly string[]): string => `[${items.map(q).join(', ')}]`;

function render(entries: readonly Entry[], lists: CodeLists, revision: string, release: string): string {
  const component = (c: Component): string =>
    `{ cset: '${c.cset}', min: ${c.min}, max: ${c.max}${c.optional ? ', optional: true' : ''}${c.linters.length ? `, linters: ${list(c.linters)}` : ''} }`;
  const entry = (e: Entry): string => {
    const parts = [`ai: ${q(e.ai)}`, `title: ${q(e.title)}`, `fnc1: ${e.fnc1}`, `dlAttribute: ${e.dlAttribute}`, `components: [${e.components.map(component).join(', ')}]`];
    if (e.req.length) parts.push(`req: [${e.req.map((clause) => `[${clause.map(list).join(', ')}]`).join(', ')}]`);
    if (e.ex.length) parts.push(`ex: ${list(e.ex)}`);
    if (e.dlpkey) parts.push(`dlpkey: [${e.dlpkey.map(list).join(', ')}]`);
    return `  { ${parts.join(', ')} },`;
  };
  const wrap = (items: readonly string[]): string => {
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += 16) lines.push('  ' + items.slice(i, i + 16).map(q).join(', ') + ',');
    return lines.join('\n');
  };
  return `// GENERATED FILE - do not edit. Regenerate with infra/src/gs1/generate-ai-table.ts (see its header).
//
// Source: GS1 Barcode Syntax Dictionary (gs1-syntax-dictionary.txt, Apache-2.0, GS1 AISBL),
//   revision ${revision}${release ? ` (file header "Release: ${release}")` : ''}.
// Code lists for the iso3166, iso3166alpha2 and iso4217 linters: ${lists.sources} (npm);
// PackageTypeCode values from the same revision's src/lint_packagetype.c table.
//
// One row per AI (ranges such as 3100-3105 are expanded). fnc1: the AI is not of predefined
// length and needs FNC1/GS after it unless last; dlAttribute: permitted as a GS1 Digital Link query
// data attribute ("?" flag); req: each clause needs one alternative, each alternative all its AIs
// ("n" in a pattern is any digit); ex: AIs or patterns that may not appear alongside; dlpkey: a
// Digital Link primary key with its alternative ordered qualifier sequences.
import type { DictionaryEntry } from './application-identifiers';

export const SYNTAX_DICTIONARY_REVISION = ${q(revision)};

export const SYNTAX_DICTIONARY: readonly DictionaryEntry[] = [
${entries.map(entry).join('\n')}
];

/** ISO 3166-1 numeric country codes (user-assigned 900-999 excluded). */
export const ISO3166_NUMERIC: readonly string[] = [
${wrap(lists.iso3166Numeric)}
];

/** ISO 3166-1 alpha-2 country codes (user-assigned codes excluded). */
export const ISO3166_ALPHA2: readonly string[] = [
${wrap(lists.iso3166Alpha2)}
];

/** GS1 PackageTypeCode values (AI 7041), from the dictionary's packagetype syntax test. */
export const PACKAGE_TYPE_CODES: readonly string[] = [
${wrap(lists.packageTypes)}
];

/** ISO 4217 numeric currency codes. */
export const ISO4217_NUMERIC: readonly string[] = [
${wrap(lists.iso4217Numeric)}
];
`;
}

/** The checkout root, whether this runs from infra/src or from its build in dist/infra/src. */
function findRepoRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && readFileSync(pkg, 'utf8').includes('"name": "pedigree"')) return dir;
  }
  return fail(`no pedigree checkout above ${from}`);
}

function main(argv: readonly string[]): number {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i === -1 ? undefined : argv[i + 1];
  };
  const dictionary = arg('--dictionary') ?? fail('--dictionary <gs1-syntax-dictionary.txt> is required');
  const revision = arg('--revision') ?? fail('--revision <commit or release> is required');
  const repoRoot = findRepoRoot(__dirname);
  const packageTypesFile = arg('--package-types') ?? fail('--package-types <lint_packagetype.c> is required');
  const text = readFileSync(dictionary, 'utf8');
  const release = /^# Release: (.*)$/m.exec(text)?.[1]?.trim() ?? '';
  const out = render(parseDictionary(text), codeLists(repoRoot, readPackageTypes(readFileSync(packageTypesFile, 'utf8'))), revision, release);
  const target = path.join(repoRoot, 'libs/domain/src/gs1/syntax-dictionary.generated.ts');
  if (argv.includes('--check')) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current !== out) {
      process.stderr.write(`${path.relative(repoRoot, target)} is not what the dictionary generates; rerun without --check\n`);
      return 1;
    }
    return 0;
  }
  writeFileSync(target, out);
  process.stderr.write(`wrote ${path.relative(repoRoot, target)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
