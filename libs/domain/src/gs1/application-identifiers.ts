import type { CharacterSet } from './charset';

/**
 * GS1 Application Identifier table, transcribed from the GS1 Barcode Syntax Dictionary (the
 * machine-readable form of GenSpecs §3). It is data, not code: parsing, encoding, Digital Link and
 * association checks all read the same rows, so adding an AI is a one-line change.
 *
 * Scope: every AI a pharmaceutical pack, case or pallet label realistically carries, plus the
 * logistic and location AIs EPCIS masters refer to. Unknown AIs are rejected rather than guessed,
 * because an unknown AI also means we cannot know where its value ends.
 */

/** Extra content rule for one component, beyond character set and length. */
export type ComponentCheck =
  | 'csum' // GS1 mod-10 check digit over the component
  | 'yymmd0' // date, day 00 allowed (means "whole month"; for expiry: last day of the month)
  | 'yymmdd' // date, day 00 not allowed
  | 'hhmm' // time of day
  | 'yymmddhh' // date and hour
  | 'zero' // single digit that must be 0 (GRAI padding)
  | 'iso3166' // 3-digit country code (format only; the ISO list itself is not embedded)
  | 'iso4217' // 3-digit currency code (format only)
  | 'pieceoftotal'; // NNNN: piece number 1..total, total >= 1

export interface AiComponent {
  readonly cset: CharacterSet;
  readonly min: number;
  readonly max: number;
  /** Only the last component may be optional. */
  readonly optional?: boolean;
  readonly check?: ComponentCheck;
}

export interface AiDefinition {
  readonly ai: string;
  readonly title: string;
  readonly components: readonly AiComponent[];
  /**
   * GS1 "predefined length" AIs (the GenSpecs table of predefined-length AIs): they never need a GS/FNC1 after them.
   * Note that some fixed-length AIs (e.g. 422, 7003, 8006) are NOT predefined and formally still
   * need a separator; we still know where they end, which the parser uses to tolerate a missing GS.
   */
  readonly predefinedLength: boolean;
  /** Total value length when every component is fixed, otherwise undefined (variable length). */
  readonly fixedLength?: number;
  readonly maxLength: number;
  /** Each inner list: at least one of these AIs must also be present. */
  readonly requires?: readonly (readonly string[])[];
  /** None of these may be present alongside. */
  readonly excludes?: readonly string[];
  /** GS1 Digital Link primary key, with its ordered optional qualifiers. */
  readonly digitalLinkQualifiers?: readonly string[];
}

const n = (len: number, check?: ComponentCheck): AiComponent => ({ cset: 'N', min: len, max: len, check });
const nv = (max: number): AiComponent => ({ cset: 'N', min: 1, max });
const xv = (max: number, optional = false): AiComponent => ({ cset: 'X', min: 1, max, optional });
const yv = (max: number): AiComponent => ({ cset: 'Y', min: 1, max });

const ITEM = ['01', '02', '8006', '8026'];

interface Row {
  ai: string;
  title: string;
  components: AiComponent[];
  predefined?: boolean;
  requires?: string[][];
  excludes?: string[];
  dl?: string[];
}

const ROWS: Row[] = [
  { ai: '00', title: 'SSCC', components: [n(18, 'csum')], predefined: true, dl: [] },
  { ai: '01', title: 'GTIN', components: [n(14, 'csum')], predefined: true, excludes: ['02', '37'], dl: ['22', '10', '21'] },
  { ai: '02', title: 'CONTENT', components: [n(14, 'csum')], predefined: true, requires: [['37']], excludes: ['01'] },
  { ai: '03', title: 'MTO GTIN', components: [n(14, 'csum')], predefined: true },
  { ai: '10', title: 'BATCH/LOT', components: [xv(20)], requires: [[...ITEM, '03']] },
  { ai: '11', title: 'PROD DATE', components: [n(6, 'yymmd0')], predefined: true, requires: [ITEM] },
  { ai: '12', title: 'DUE DATE', components: [n(6, 'yymmd0')], predefined: true },
  { ai: '13', title: 'PACK DATE', components: [n(6, 'yymmd0')], predefined: true, requires: [ITEM] },
  { ai: '15', title: 'BEST BEFORE or BEST BY', components: [n(6, 'yymmd0')], predefined: true, requires: [ITEM] },
  { ai: '16', title: 'SELL BY', components: [n(6, 'yymmd0')], predefined: true, requires: [ITEM] },
  { ai: '17', title: 'USE BY or EXPIRY', components: [n(6, 'yymmd0')], predefined: true, requires: [[...ITEM, '03', '255']] },
  { ai: '20', title: 'VARIANT', components: [n(2)], predefined: true, requires: [ITEM] },
  { ai: '21', title: 'SERIAL', components: [xv(20)], requires: [['01', '03', '8006']] },
  { ai: '22', title: 'CPV', components: [xv(20)], requires: [['01']] },
  { ai: '235', title: 'TPX', components: [xv(28)], requires: [['01']] },
  { ai: '240', title: 'ADDITIONAL ID', components: [xv(30)], requires: [ITEM] },
  { ai: '241', title: 'CUST. PART No.', components: [xv(30)], requires: [ITEM] },
  { ai: '242', title: 'MTO VARIANT', components: [nv(6)], requires: [ITEM] },
  { ai: '243', title: 'PCN', components: [xv(20)], requires: [['01']] },
  { ai: '250', title: 'SECONDARY SERIAL', components: [xv(30)], requires: [['01', '8006'], ['21']] },
  { ai: '251', title: 'REF. TO SOURCE', components: [xv(30)], requires: [['01', '8006']] },
  { ai: '253', title: 'GDTI', components: [n(13, 'csum'), xv(17, true)], dl: [] },
  { ai: '254', title: 'GLN EXTENSION COMPONENT', components: [xv(20)], requires: [['414']] },
  { ai: '255', title: 'GCN', components: [n(13, 'csum'), { cset: 'N', min: 1, max: 12, optional: true }], dl: [] },
  { ai: '30', title: 'VAR. COUNT', components: [nv(8)], requires: [['01', '02']] },
  { ai: '37', title: 'COUNT', components: [nv(8)], requires: [['02', '8026']] },
  { ai: '400', title: 'ORDER NUMBER', components: [xv(30)] },
  { ai: '401', title: 'GINC', components: [xv(30)], dl: [] },
  { ai: '402', title: 'GSIN', components: [n(17, 'csum')], dl: [] },
  { ai: '403', title: 'ROUTE', components: [xv(30)], requires: [['00']] },
  { ai: '410', title: 'SHIP TO LOC', components: [n(13, 'csum')], predefined: true },
  { ai: '411', title: 'BILL TO', components: [n(13, 'csum')], predefined: true },
  { ai: '412', title: 'PURCHASE FROM', components: [n(13, 'csum')], predefined: true },
  { ai: '413', title: 'SHIP FOR LOC', components: [n(13, 'csum')], predefined: true },
  { ai: '414', title: 'LOC No.', components: [n(13, 'csum')], predefined: true, dl: ['254'] },
  { ai: '415', title: 'PAY TO', components: [n(13, 'csum')], predefined: true },
  { ai: '416', title: 'PROD/SERV LOC', components: [n(13, 'csum')], predefined: true },
  { ai: '417', title: 'PARTY', components: [n(13, 'csum')], predefined: true, dl: [] },
  { ai: '420', title: 'SHIP TO POST', components: [xv(20)], excludes: ['421'] },
  { ai: '421', title: 'SHIP TO POST', components: [n(3, 'iso3166'), xv(9)], excludes: ['420'] },
  { ai: '422', title: 'ORIGIN', components: [n(3, 'iso3166')], requires: [ITEM] },
  { ai: '7001', title: 'NSN', components: [n(13)], requires: [ITEM] },
  { ai: '7003', title: 'EXPIRY TIME', components: [n(6, 'yymmdd'), n(4, 'hhmm')], requires: [['01', '02']] },
  { ai: '7004', title: 'ACTIVE POTENCY', components: [nv(4)], requires: [['01'], ['10']] },
  { ai: '7006', title: 'FIRST FREEZE DATE', components: [n(6, 'yymmdd')], requires: [['01', '02']] },
  { ai: '710', title: 'NHRN PZN', components: [xv(20)], requires: [['01']] },
  { ai: '711', title: 'NHRN CIP', components: [xv(20)], requires: [['01']] },
  { ai: '712', title: 'NHRN CN', components: [xv(20)], requires: [['01']] },
  { ai: '713', title: 'NHRN DRN', components: [xv(20)], requires: [['01']] },
  { ai: '714', title: 'NHRN AIM', components: [xv(20)], requires: [['01']] },
  { ai: '715', title: 'NHRN NDC', components: [xv(20)], requires: [['01']] },
  { ai: '716', title: 'NHRN AIC', components: [xv(20)], requires: [['01']] },
  { ai: '7240', title: 'PROTOCOL', components: [xv(20)], requires: [['01', '8006']] },
  { ai: '8003', title: 'GRAI', components: [n(1, 'zero'), n(13, 'csum'), xv(16, true)], dl: [] },
  { ai: '8004', title: 'GIAI', components: [xv(30)], dl: [] },
  { ai: '8005', title: 'PRICE PER UNIT', components: [n(6)], requires: [['01', '02']] },
  { ai: '8006', title: 'ITIP', components: [n(14, 'csum'), n(4, 'pieceoftotal')], excludes: ['01', '37'], dl: ['22', '10', '21'] },
  { ai: '8010', title: 'CPID', components: [yv(30)], dl: ['8011'] },
  { ai: '8011', title: 'CPID SERIAL', components: [nv(12)], requires: [['8010']] },
  { ai: '8012', title: 'VERSION', components: [xv(20)], requires: [['01', '8006']] },
  { ai: '8017', title: 'GSRN - PROVIDER', components: [n(18, 'csum')], excludes: ['8018'], dl: [] },
  { ai: '8018', title: 'GSRN - RECIPIENT', components: [n(18, 'csum')], excludes: ['8017'], dl: [] },
  { ai: '8020', title: 'REF No.', components: [xv(25)], requires: [['415']] },
  { ai: '8026', title: 'ITIP CONTENT', components: [n(14, 'csum'), n(4, 'pieceoftotal')], requires: [['37']], excludes: ['02', '8006'] },
  { ai: '8200', title: 'PRODUCT URL', components: [xv(70)], requires: [['01']] },
  { ai: '90', title: 'INTERNAL', components: [xv(30)] },
];

// Trade measures 31nn-36nn: N6 with the 4th digit giving the decimal position (0-5). All are
// predefined length, which matters for parsing even if pharma packs rarely carry them.
const MEASURE_FAMILIES: ReadonlyArray<readonly [string, string]> = [
  ['310', 'NET WEIGHT (kg)'], ['311', 'LENGTH (m)'], ['312', 'WIDTH (m)'], ['313', 'HEIGHT (m)'], ['314', 'AREA (m²)'],
  ['315', 'NET VOLUME (l)'], ['316', 'NET VOLUME (m³)'], ['320', 'NET WEIGHT (lb)'], ['330', 'GROSS WEIGHT (kg)'],
  ['340', 'GROSS WEIGHT (lb)'], ['356', 'NET WEIGHT (t oz)'], ['357', 'NET VOLUME (oz)'], ['360', 'NET VOLUME (qt)'],
  ['361', 'NET VOLUME (gal.)'],
];
for (const [family, title] of MEASURE_FAMILIES) {
  for (let d = 0; d <= 5; d++) ROWS.push({ ai: `${family}${d}`, title, components: [n(6)], predefined: true });
}
for (let d = 0; d <= 9; d++) {
  ROWS.push({ ai: `392${d}`, title: 'PRICE', components: [nv(15)] });
  ROWS.push({ ai: `393${d}`, title: 'PRICE', components: [n(3, 'iso4217'), nv(15)] });
}
for (let d = 1; d <= 9; d++) ROWS.push({ ai: `9${d}`, title: 'INTERNAL', components: [xv(90)] });

function define(row: Row): AiDefinition {
  const fixed = row.components.every((c) => c.min === c.max && !c.optional);
  return {
    ai: row.ai,
    title: row.title,
    components: row.components,
    predefinedLength: row.predefined === true,
    fixedLength: fixed ? row.components.reduce((s, c) => s + c.max, 0) : undefined,
    maxLength: row.components.reduce((s, c) => s + c.max, 0),
    requires: row.requires,
    excludes: row.excludes,
    digitalLinkQualifiers: row.dl,
  };
}

export const APPLICATION_IDENTIFIERS: ReadonlyMap<string, AiDefinition> = new Map(ROWS.map((r) => [r.ai, define(r)]));

export function aiDefinition(ai: string): AiDefinition | undefined {
  return APPLICATION_IDENTIFIERS.get(ai);
}

/**
 * The AI at `position`, found by trying 2, 3 and 4 digits. GS1 AIs are prefix-free, so at most one
 * length can match (a unit test holds the table to that).
 */
export function aiAt(data: string, position: number): AiDefinition | undefined {
  for (let len = 2; len <= 4; len++) {
    const candidate = data.slice(position, position + len);
    if (candidate.length < len || !/^[0-9]+$/.test(candidate)) return undefined;
    const def = APPLICATION_IDENTIFIERS.get(candidate);
    if (def) return def;
  }
  return undefined;
}

/** GS1 Digital Link primary-key AIs, in the order they are looked for in a URI path. */
export const DIGITAL_LINK_PRIMARY_KEYS: readonly string[] = ROWS.filter((r) => r.dl !== undefined).map((r) => r.ai);
