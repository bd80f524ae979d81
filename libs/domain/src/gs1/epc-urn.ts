import { DomainError } from '../errors';
import { isCset82 } from './charset';
import { withCheckDigit } from './check-digit';
import { assertSerialOrLot, normaliseGln, normaliseGtin, normaliseSscc, type Gln13, type Gtin14, type Sscc18 } from './gtin';

/**
 * EPC pure-identity URNs (GS1 EPC Tag Data Standard). A URN splits the GS1 key at the company
 * prefix, which a GTIN alone does not reveal, so every GTIN/SSCC/GLN -> URN conversion takes the
 * company prefix length. For US NDC-based keys (GS1 prefix "03") it can be derived; see
 * `companyPrefixLengthFor`.
 */

export interface CompanyPrefixOptions {
  /** GS1 company prefix length, 6-12 digits. */
  readonly companyPrefixLength?: number;
  /** For NDC-based keys: the FDA labeler code length, if known from master data. */
  readonly labelerDigits?: 4 | 5;
}

/**
 * Company prefix length for a 13-digit key body (GTIN-14 without indicator, SSCC without extension
 * digit, or GLN). Explicit length wins; otherwise a US NDC-range key ("03" + labeler) derives
 * 6 or 7 digits: a labeler starting with 0 is a 4-digit labeler (FDA's 5-digit codes start at
 * 10000), anything else a 5-digit one. Keys outside the NDC range need the length from the caller.
 */
export function companyPrefixLengthFor(body13: string, options: CompanyPrefixOptions = {}, keyName = 'key'): number {
  const explicit = options.companyPrefixLength;
  if (explicit !== undefined) {
    if (!Number.isInteger(explicit) || explicit < 6 || explicit > 12) {
      throw new DomainError('COMPANY_PREFIX_REQUIRED', `company prefix length must be 6-12, got ${explicit}`, { reason: 'prefix length out of range' });
    }
    return explicit;
  }
  if (body13.startsWith('03')) {
    if (options.labelerDigits !== undefined) return 2 + options.labelerDigits;
    return body13[2] === '0' ? 6 : 7;
  }
  throw new DomainError(
    'COMPANY_PREFIX_REQUIRED',
    `${keyName} ${body13} is not in the US NDC range; its GS1 company prefix length must be supplied to build an EPC URN`,
    { reason: 'company prefix length unknown' },
  );
}

// EPC Tag Data Standard: these characters of CSET 82 must be %-escaped inside an EPC URN component.
const URN_ESCAPES: Readonly<Record<string, string>> = { '"': '%22', '%': '%25', '&': '%26', '/': '%2F', '<': '%3C', '>': '%3E', '?': '%3F' };
const URN_UNESCAPES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(URN_ESCAPES).map(([c, e]) => [e, c]));

export function escapeEpcComponent(value: string): string {
  let out = '';
  for (const c of value) out += URN_ESCAPES[c] ?? c;
  return out;
}

export function unescapeEpcComponent(value: string, what = 'component'): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '%') {
      const esc = value.slice(i, i + 3).toUpperCase();
      const decoded = URN_UNESCAPES[esc];
      if (decoded === undefined) {
        throw new DomainError('EPC_URN_INVALID', `EPC URN ${what} has an invalid escape ${JSON.stringify(value.slice(i, i + 3))}`, { reason: 'only %22 %25 %26 %2F %3C %3E %3F are allowed' });
      }
      out += decoded;
      i += 2;
    } else if (c in URN_ESCAPES) {
      throw new DomainError('EPC_URN_INVALID', `EPC URN ${what} contains ${JSON.stringify(c)} which must be %-escaped`, { reason: 'unescaped reserved character' });
    } else {
      out += c;
    }
  }
  if (!isCset82(out)) throw new DomainError('EPC_URN_INVALID', `EPC URN ${what} ${JSON.stringify(out)} is outside GS1 character set 82`, { reason: 'character set' });
  return out;
}

export function sgtinToEpcUrn(gtin: string, serial: string, options: CompanyPrefixOptions = {}): string {
  const g = normaliseGtin(gtin);
  const s = assertSerialOrLot(serial, '21');
  const cpl = companyPrefixLengthFor(g.slice(1), options, 'GTIN');
  return `urn:epc:id:sgtin:${g.slice(1, 1 + cpl)}.${g[0]}${g.slice(1 + cpl, 13)}.${escapeEpcComponent(s)}`;
}

export function lgtinToEpcClassUrn(gtin: string, lot: string, options: CompanyPrefixOptions = {}): string {
  const g = normaliseGtin(gtin);
  const l = assertSerialOrLot(lot, '10');
  const cpl = companyPrefixLengthFor(g.slice(1), options, 'GTIN');
  return `urn:epc:class:lgtin:${g.slice(1, 1 + cpl)}.${g[0]}${g.slice(1 + cpl, 13)}.${escapeEpcComponent(l)}`;
}

export function ssccToEpcUrn(sscc: string, options: CompanyPrefixOptions = {}): string {
  const s = normaliseSscc(sscc);
  const cpl = companyPrefixLengthFor(s.slice(1), options, 'SSCC');
  return `urn:epc:id:sscc:${s.slice(1, 1 + cpl)}.${s[0]}${s.slice(1 + cpl, 17)}`;
}

/** SGLN: a location; extension "0" means "no AI 254". */
export function sglnToEpcUrn(gln: string, extension = '0', options: CompanyPrefixOptions = {}): string {
  const g = normaliseGln(gln);
  if (extension !== '0') assertGlnExtension(extension);
  const cpl = companyPrefixLengthFor(g, options, 'GLN');
  return `urn:epc:id:sgln:${g.slice(0, cpl)}.${g.slice(cpl, 12)}.${escapeEpcComponent(extension)}`;
}

/** PGLN: a party (legal entity), as used in owning_party / possessing_party. */
export function pglnToEpcUrn(gln: string, options: CompanyPrefixOptions = {}): string {
  const g = normaliseGln(gln, '417');
  const cpl = companyPrefixLengthFor(g, options, 'GLN');
  return `urn:epc:id:pgln:${g.slice(0, cpl)}.${g.slice(cpl, 12)}`;
}

function assertGlnExtension(extension: string): void {
  if (extension.length < 1 || extension.length > 20 || !isCset82(extension)) {
    throw new DomainError('AI_INVALID', `AI (254): GLN extension must be 1-20 characters of GS1 character set 82, got ${JSON.stringify(extension)}`, {
      ai: '254',
      reason: 'GLN extension format',
    });
  }
}

export type EpcIdentity =
  | { readonly scheme: 'sgtin'; readonly gtin: Gtin14; readonly serial: string; readonly companyPrefixLength: number }
  | { readonly scheme: 'lgtin'; readonly gtin: Gtin14; readonly lot: string; readonly companyPrefixLength: number }
  | { readonly scheme: 'sscc'; readonly sscc: Sscc18; readonly companyPrefixLength: number }
  | { readonly scheme: 'sgln'; readonly gln: Gln13; readonly extension: string; readonly companyPrefixLength: number }
  | { readonly scheme: 'pgln'; readonly gln: Gln13; readonly companyPrefixLength: number };

const URN = /^urn:epc:(id|class):(sgtin|sscc|sgln|pgln|lgtin):(.*)$/;

/** Parses an EPC pure-identity (or LGTIN class) URN, verifying digit counts and check digits. */
export function parseEpcUrn(urn: string): EpcIdentity {
  const m = URN.exec(urn);
  if (!m) throw new DomainError('EPC_URN_INVALID', `not a supported EPC URN: ${JSON.stringify(urn)}`, { reason: 'expected urn:epc:id:{sgtin|sscc|sgln|pgln} or urn:epc:class:lgtin' });
  const [, kind, scheme, rest] = m as unknown as [string, 'id' | 'class', string, string];
  if ((scheme === 'lgtin') !== (kind === 'class')) throw new DomainError('EPC_URN_INVALID', `${urn}: ${scheme} belongs under urn:epc:${scheme === 'lgtin' ? 'class' : 'id'}`, { reason: 'namespace' });
  const parts = rest.split('.');
  const fail = (reason: string): never => {
    throw new DomainError('EPC_URN_INVALID', `${urn}: ${reason}`, { reason });
  };
  const digits = (s: string | undefined): s is string => s !== undefined && /^\d+$/.test(s);

  switch (scheme) {
    case 'sgtin':
    case 'lgtin': {
      // The serial/lot may itself contain '.', so only the first two dots delimit.
      const [prefix, indItem] = parts;
      const tail = parts.slice(2).join('.');
      if (parts.length < 3 || !digits(prefix) || !digits(indItem)) return fail('expected CompanyPrefix.IndicatorItemRef.Serial');
      if (prefix.length + indItem.length !== 13) return fail('company prefix and indicator+item reference must total 13 digits');
      if (prefix.length < 6 || prefix.length > 12) return fail('company prefix must be 6-12 digits');
      const gtin = withCheckDigit(indItem[0] + prefix + indItem.slice(1));
      const value = unescapeEpcComponent(tail, scheme === 'sgtin' ? 'serial' : 'lot');
      assertSerialOrLot(value, scheme === 'sgtin' ? '21' : '10');
      return scheme === 'sgtin'
        ? { scheme, gtin, serial: value, companyPrefixLength: prefix.length }
        : { scheme, gtin, lot: value, companyPrefixLength: prefix.length };
    }
    case 'sscc': {
      const [prefix, extSerial] = parts;
      if (parts.length !== 2 || !digits(prefix) || !digits(extSerial)) return fail('expected CompanyPrefix.ExtensionSerialReference');
      if (prefix.length + extSerial.length !== 17) return fail('company prefix and extension+serial reference must total 17 digits');
      if (prefix.length < 6 || prefix.length > 12) return fail('company prefix must be 6-12 digits');
      return { scheme, sscc: withCheckDigit(extSerial[0] + prefix + extSerial.slice(1)), companyPrefixLength: prefix.length };
    }
    case 'sgln': {
      const [prefix, location] = parts;
      const extension = parts.slice(2).join('.');
      if (parts.length < 3 || !digits(prefix) || (location !== '' && !digits(location))) return fail('expected CompanyPrefix.LocationReference.Extension');
      if (prefix.length + (location ?? '').length !== 12) return fail('company prefix and location reference must total 12 digits');
      const ext = unescapeEpcComponent(extension, 'extension');
      if (ext !== '0') assertGlnExtension(ext);
      return { scheme, gln: withCheckDigit(prefix + (location ?? '')), extension: ext, companyPrefixLength: prefix.length };
    }
    case 'pgln': {
      const [prefix, party] = parts;
      if (parts.length !== 2 || !digits(prefix) || (party !== '' && !digits(party))) return fail('expected CompanyPrefix.PartyReference');
      if (prefix.length + (party ?? '').length !== 12) return fail('company prefix and party reference must total 12 digits');
      return { scheme, gln: withCheckDigit(prefix + (party ?? '')), companyPrefixLength: prefix.length };
    }
  }
  return fail('unsupported scheme');
}

export function isEpcUrn(value: string): boolean {
  try {
    parseEpcUrn(value);
    return true;
  } catch {
    return false;
  }
}

/** Renders an EPC identity back to its URN (the company prefix length travels with the identity). */
export function formatEpcUrn(identity: EpcIdentity): string {
  const options = { companyPrefixLength: identity.companyPrefixLength };
  switch (identity.scheme) {
    case 'sgtin':
      return sgtinToEpcUrn(identity.gtin, identity.serial, options);
    case 'lgtin':
      return lgtinToEpcClassUrn(identity.gtin, identity.lot, options);
    case 'sscc':
      return ssccToEpcUrn(identity.sscc, options);
    case 'sgln':
      return sglnToEpcUrn(identity.gln, identity.extension, options);
    case 'pgln':
      return pglnToEpcUrn(identity.gln, options);
  }
}
