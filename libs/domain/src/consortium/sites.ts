import { DomainError } from '../errors';
import { parseEpcUrn, sglnToEpcUrn } from '../gs1/epc-urn';
import { normaliseGln } from '../gs1/gtin';
import type { PartnerRecord } from '../lifecycle/ledger-records';

/**
 * A partner's sites as the ledger names them (issue 18): the GLNs the consortium admitted for it,
 * each a location an EPCIS event can give as its bizLocation (an SGLN). A location logger's readings
 * reach a pack through the site its receipt names, so a receipt names a site, and only one of the
 * receiver's own.
 */

/** A site given as a 13-digit GLN or an SGLN URN, as an SGLN URN and its GLN. */
export interface Site {
  readonly sgln: string;
  readonly gln: string;
}

/**
 * Reads a site. A GLN becomes the SGLN without extension ("0"); its company prefix length is derived
 * as for the partner's PGLN (US NDC range), so a GLN outside it must be given as an SGLN URN.
 * @throws DomainError IDENTIFIER_INVALID / CHECK_DIGIT for a malformed GLN, EPC_URN_INVALID for a URN
 *   that is not an SGLN, COMPANY_PREFIX_REQUIRED for a GLN whose prefix length cannot be derived.
 */
export function parseSite(site: string): Site {
  if (/^\d{13}$/.test(site)) {
    const gln = normaliseGln(site);
    return { sgln: sglnToEpcUrn(gln), gln };
  }
  const id = parseEpcUrn(site);
  if (id.scheme !== 'sgln') throw new DomainError('EPC_URN_INVALID', `a site is a GLN or an SGLN URN, got ${site}`, { reason: 'site scheme' });
  return { sgln: site, gln: id.gln };
}

/**
 * The site a receipt names: the one asked for, which must be one of the receiver's admitted sites;
 * else `addressedTo` (the shipment's ship-to site, the GLN an inbound document was addressed to) when
 * it is one of the receiver's (the sender's word is no reason to refuse a receipt); else the
 * receiver's first site.
 * @throws DomainError SITE_NOT_HELD when the site asked for is not one of the receiver's; parseSite's errors.
 */
export function receivingSite(receiver: Pick<PartnerRecord, 'mspId' | 'glns'>, site?: string, addressedTo?: string): string {
  if (site === undefined && addressedTo !== undefined) {
    const addressed = siteOf(receiver, addressedTo);
    if (addressed) return addressed;
  }
  const chosen = site ?? receiver.glns[0];
  if (chosen === undefined) throw new DomainError('SITE_NOT_HELD', `${receiver.mspId} has no admitted site to receive at`, { actor: receiver.mspId, reason: 'no sites' });
  const parsed = parseSite(chosen);
  assertSiteOf(receiver, parsed);
  return parsed.sgln;
}

/** The SGLN of `site` when it reads as one of the partner's sites; undefined otherwise. */
function siteOf(partner: Pick<PartnerRecord, 'mspId' | 'glns'>, site: string): string | undefined {
  try {
    const parsed = parseSite(site);
    return partner.glns.includes(parsed.gln) ? parsed.sgln : undefined;
  } catch (e) {
    if (e instanceof DomainError) return undefined;
    throw e;
  }
}

/** @throws DomainError SITE_NOT_HELD when the site's GLN is not one the consortium admitted for the partner. */
export function assertSiteOf(partner: Pick<PartnerRecord, 'mspId' | 'glns'>, site: Site): void {
  if (!partner.glns.includes(site.gln)) {
    throw new DomainError('SITE_NOT_HELD', `${site.sgln} (GLN ${site.gln}) is not one of ${partner.mspId}'s sites (${partner.glns.join(', ')})`, { actor: partner.mspId, site: site.sgln, reason: 'not a site of the caller' });
  }
}
