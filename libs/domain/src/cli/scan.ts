/**
 * Scanner debugging tool: `npm run -s scan -- '<scan>'` prints exactly one JSON object.
 *
 *   {"gtin":"…","serial":"…","lot":"…","expiry":"YYYY-MM-DD","ais":{"01":"…",…}}   exit 0
 *   {"error":{"code":"…","message":"…"}}                                          exit 1
 *
 * The scan may contain real GS characters, or `\x1d`, `<GS>`, `{GS}`, `^]` typed in a shell.
 * Options: --gs=<substitute> (repeatable) for a scanner's own GS stand-in, --reference-date=YYYY-MM-DD
 * for the two-digit-year window, --digital-link[=BASE] to add the scan as a GS1 Digital Link. With no scan argument, the scan is read from stdin.
 *
 * Unlike the domain library, this adapter owns a clock: two-digit years are windowed around today,
 * exactly as GS1 §7.12 specifies, unless --reference-date says otherwise.
 */
import { readFileSync } from 'node:fs';
import { DomainError, isDomainError } from '../errors';
import { buildDigitalLink, compareAis, DEFAULT_DIGITAL_LINK_HOST } from '../gs1/digital-link';
import { parseScan } from '../scan/parse-scan';

interface CliArgs {
  readonly scan: string;
  readonly gsSubstitutes: string[];
  readonly referenceDate: string | Date;
  /** Set by --digital-link[=BASE]: also print the scan as a GS1 Digital Link on BASE. */
  readonly digitalLinkBase?: string;
}

function parseArgs(argv: readonly string[], readStdin: () => string, today: Date): CliArgs {
  const gsSubstitutes: string[] = [];
  let referenceDate: string | Date = today;
  let digitalLinkBase: string | undefined;
  const positional: string[] = [];
  let optionsDone = false;
  for (const arg of argv) {
    if (!optionsDone && arg === '--') optionsDone = true;
    else if (!optionsDone && arg.startsWith('--gs=')) gsSubstitutes.push(arg.slice(5));
    else if (!optionsDone && arg.startsWith('--reference-date=')) referenceDate = arg.slice('--reference-date='.length);
    else if (!optionsDone && (arg === '--digital-link' || arg.startsWith('--digital-link='))) digitalLinkBase = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : DEFAULT_DIGITAL_LINK_HOST;
    else if (!optionsDone && arg.startsWith('--') && arg.length > 2) throw new DomainError('SCAN_MALFORMED', `unknown option ${arg} (use --gs=<substitute>, --reference-date=YYYY-MM-DD or --digital-link[=https://host/prefix])`, { reason: 'unknown option' });
    else positional.push(arg);
  }
  if (positional.length > 1) {
    throw new DomainError('SCAN_MALFORMED', `expected one scan argument, got ${positional.length}; quote the scan so the shell does not split it`, { reason: 'several arguments' });
  }
  const scan = positional[0] ?? readStdin();
  return { scan, gsSubstitutes, referenceDate, ...(digitalLinkBase !== undefined ? { digitalLinkBase } : {}) };
}

/** AIs in ascending order; a plain object would put "10", "17", "21" before "01". */
function aisJson(ais: Readonly<Record<string, string>>): string {
  return `{${Object.keys(ais)
    .sort(compareAis)
    .map((ai) => `${JSON.stringify(ai)}:${JSON.stringify(ais[ai])}`)
    .join(',')}}`;
}

export interface CliOutcome {
  readonly output: string;
  readonly exitCode: 0 | 1;
}

/** The whole CLI as a function of its inputs, so it can be tested without spawning a process. */
export function runScanCli(argv: readonly string[], readStdin: () => string = () => '', today: Date = new Date()): CliOutcome {
  try {
    const args = parseArgs(argv, readStdin, today);
    const parsed = parseScan(args.scan, { gsSubstitute: args.gsSubstitutes, referenceDate: args.referenceDate });
    const head = (['gtin', 'serial', 'lot', 'expiry'] as const)
      .filter((k) => parsed[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(parsed[k])}`);
    const link = args.digitalLinkBase !== undefined ? [`"digitalLink":${JSON.stringify(buildDigitalLink(parsed.ais, { base: args.digitalLinkBase }))}`] : [];
    return { output: `{${[...head, `"ais":${aisJson(parsed.ais)}`, ...link].join(',')}}\n`, exitCode: 0 };
  } catch (e) {
    const error = isDomainError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
    return { output: `${JSON.stringify({ error })}\n`, exitCode: 1 };
  }
}

if (require.main === module) {
  const { output, exitCode } = runScanCli(process.argv.slice(2), () => (process.stdin.isTTY ? '' : readFileSync(0, 'utf8')));
  process.stdout.write(output);
  process.exitCode = exitCode;
}
