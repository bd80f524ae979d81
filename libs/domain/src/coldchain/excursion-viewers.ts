import type { ExceptionRecord } from '../exceptions/exception-lifecycle';
import { parseEpcUrn } from '../gs1/epc-urn';
import type { OrgId } from '../lifecycle/records';

/**
 * Who may keep a receiving exception in its read model: its receiver and its seller, and for a
 * temperature excursion also the manufacturer of every product it holds (issue 18), who decides
 * on it (DecideExcursion) even when it sold to someone else. The manufacturer is read from the
 * product registry by the subjects' GTINs (ledger-checked SGTINs), never from the evidence a
 * receiver wrote. No one else: a third organisation sees none of it.
 */
export function exceptionViewers(x: Pick<ExceptionRecord, 'rule' | 'receiver' | 'seller' | 'subjects'>, manufacturerOf: (gtin: string) => OrgId | undefined): OrgId[] {
  const viewers = new Set<OrgId>([x.receiver, x.seller]);
  if (x.rule === 'temperature_excursion') {
    for (const gtin of exceptionGtins(x)) {
      const manufacturer = manufacturerOf(gtin);
      if (manufacturer) viewers.add(manufacturer);
    }
  }
  return [...viewers];
}

/** The GTINs of an exception's SGTIN subjects (containers and malformed IDs name no product). */
export function exceptionGtins(x: Pick<ExceptionRecord, 'subjects'>): string[] {
  const gtins = new Set<string>();
  for (const epc of x.subjects) {
    if (!epc.startsWith('urn:epc:id:sgtin:')) continue;
    try {
      const id = parseEpcUrn(epc);
      if (id.scheme === 'sgtin') gtins.add(id.gtin);
    } catch {
      // A subject that does not parse names no manufacturer; the ledger checked the ones it held.
    }
  }
  return [...gtins].sort();
}
