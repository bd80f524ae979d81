import { DomainError } from '../errors';
import { digitalLinkToEpcUrn, epcUrnToDigitalLink } from '../gs1/digital-link';

/**
 * The EPCIS 2.0 REST binding's `GS1-EPC-Format` request header: how the EPCs of answered events
 * are spelt. `No_Preference` answers them as recorded; the two others rewrite every EPC field
 * (epcList, childEPCs, input/outputEPCList, parentID, quantity elements' epcClass). An identifier
 * with no form in the other notation (a scheme Digital Link does not cover, or a Digital Link
 * whose company prefix length cannot be known) stays as it is: a partner then sees what the ledger holds.
 * `Never_Translates` (the REST binding's fourth value) is answered as recorded, like `No_Preference`.
 */
export const EPC_FORMATS = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] as const;
export type EpcFormat = (typeof EPC_FORMATS)[number];

/** A REST binding header whose values the standard lists: absent or empty is No_Preference, case does not matter. */
function headerValue<T extends string>(name: string, values: readonly T[], header: string | undefined): T {
  const value = (header ?? '').trim();
  if (value === '') return 'No_Preference' as T;
  const found = values.find((f) => f.toLowerCase() === value.toLowerCase());
  if (!found) throw new DomainError('EPCIS_QUERY_INVALID', `${name} must be one of ${values.join(', ')}, not ${JSON.stringify(value)}`, { reason: name, parameter: name });
  return found;
}

/** @throws DomainError EPCIS_QUERY_INVALID for a value the standard does not define. */
export function parseEpcFormat(header: string | undefined): EpcFormat {
  return headerValue('GS1-EPC-Format', EPC_FORMATS, header);
}

/** The REST binding's GS1-CBV-XML-Format: how CBV terms are spelled in an XML answer. */
export const CBV_XML_FORMATS = ['Always_Web_URI', 'Always_URN', 'No_Preference', 'Never_Translates'] as const;
export type CbvXmlFormat = (typeof CBV_XML_FORMATS)[number];

/**
 * No_Preference is answered as URNs, as the ledger's XML has always been; so is Never_Translates:
 * events are recorded with CBV 2.0's bare terms, which XML cannot carry, and URNs are what 1.2 wrote.
 */
export function parseCbvXmlFormat(header: string | undefined): CbvXmlFormat {
  return headerValue('GS1-CBV-XML-Format', CBV_XML_FORMATS, header);
}

const LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];

function spell(id: string, format: EpcFormat): string {
  try {
    if (format === 'Always_GS1_Digital_Link' && id.startsWith('urn:epc:')) return epcUrnToDigitalLink(id);
    if (format === 'Always_EPC_URN' && /^https?:\/\//.test(id)) return digitalLinkToEpcUrn(id);
  } catch {
    return id;
  }
  return id;
}

/** The event with its EPCs spelt as `format` asks (a new object; the event is not changed). */
export function withEpcFormat<E extends object>(event: E, format: EpcFormat): E {
  if (format === 'No_Preference') return event;
  const e = { ...(event as Record<string, unknown>) };
  for (const k of LISTS) if (Array.isArray(e[k])) e[k] = (e[k] as unknown[]).map((x) => (typeof x === 'string' ? spell(x, format) : x));
  if (typeof e['parentID'] === 'string') e['parentID'] = spell(e['parentID'], format);
  for (const k of QUANTITY_LISTS) {
    if (!Array.isArray(e[k])) continue;
    e[k] = (e[k] as Array<Record<string, unknown>>).map((q) => (q && typeof q['epcClass'] === 'string' ? { ...q, epcClass: spell(q['epcClass'], format) } : q));
  }
  return e as E;
}
