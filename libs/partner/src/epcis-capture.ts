import {
  captureStepOf, DomainError, sha256Hex, normaliseGtin, normaliseVocabulary, parseEpcUrn, type CapturePart, type CaptureTransaction, type LedgerCommandInputs,
} from '@pedigree/domain';

/**
 * How a validated EPCIS event becomes the chaincode command that records it (the DSCSA profile's
 * step table): shared by the synchronous POST /epcis/capture and the EPCIS 2.0 REST binding's
 * capture jobs.
 */

export interface EventShape {
  type: string; action?: string; bizStep?: string; eventID?: string; epcList?: string[]; parentID?: string; childEPCs?: string[];
  ilmd?: Record<string, string>; readPoint?: { id: string }; bizLocation?: { id: string };
}

/** A chaincode command an EPCIS event maps to, typed per transaction. */
export type CapturedCommand = { [K in CaptureTransaction]: { readonly transaction: K; readonly command: Omit<LedgerCommandInputs[K], 'eventId'> } }[CaptureTransaction];

/**
 * The ID of a Capture of these events, in this order: the same events re-sent are the same capture,
 * whichever route (synchronous, or a capture job's rollback or proceed step) sends them.
 */
export function captureIdOf(eventIds: readonly string[]): string {
  return `capture:${sha256Hex(eventIds.join('\n'))}`;
}

export function capturePart(c: CapturedCommand, eventId: string): CapturePart {
  // TypeScript does not correlate the union's transaction with its command; CapturedCommand does.
  return { transaction: c.transaction, command: { ...c.command, eventId } } as CapturePart;
}

/** Maps one validated DSCSA event to the chaincode command that records it. */
export function commandFor(e: EventShape, index: number): CapturedCommand {
  const step = e.bizStep ? normaliseVocabulary('bizStep', e.bizStep) : '';
  const epcs = e.epcList ?? [];
  switch (captureStepOf(e.type, e.action, step || undefined)?.transaction) {
    case 'Commission': {
      const ids = epcs.map((x) => parseEpcUrn(x) as unknown as { scheme: string; gtin?: string; serial?: string });
      const gtins = new Set(ids.map((i) => i.gtin));
      if (gtins.size !== 1 || ids.some((i) => i.scheme !== 'sgtin')) throw refuse(index, 'a commissioning event must list SGTINs of one GTIN');
      return {
        transaction: 'Commission',
        command: { gtin: normaliseGtin([...gtins][0] as string), lot: String(e.ilmd?.['cbvmda:lotNumber'] ?? ''), expiry: String(e.ilmd?.['cbvmda:itemExpirationDate'] ?? ''), serials: ids.map((i) => String(i.serial)) },
      };
    }
    case 'Pack':
      return { transaction: 'Pack', command: { parent: String(e.parentID ?? ''), children: e.childEPCs ?? [], sealed: true } };
    case 'Unpack':
      return { transaction: 'Unpack', command: { parent: String(e.parentID ?? ''), ...(e.childEPCs?.length ? { children: e.childEPCs } : {}) } };
    case 'Receive':
      // The event's business location, as an SGLN URN, is the receiving site (the ledger checks it is one of the
      // receiver's); a Digital Link location is not read as a site yet, and the receipt takes the default.
      return { transaction: 'Receive', command: { epcs, ...(e.bizLocation?.id?.startsWith('urn:epc:id:sgln:') ? { site: e.bizLocation.id } : {}) } };
    case 'Dispense':
      return { transaction: 'Dispense', command: { epcs } };
    case 'Decommission':
      return { transaction: 'Decommission', command: { epcs } };
    case 'Destroy':
      return { transaction: 'Destroy', command: { epcs } };
    case undefined:
      // Shipping needs the DSCSA Transaction Information, which must travel privately: use shipPacks.
      throw refuse(index, `${e.type} ${e.action} ${step || '(no bizStep)'} is not captured here${step === 'shipping' ? ' (ship with the shipPacks mutation: TI is private)' : ''}`);
  }
}

function refuse(index: number, message: string): DomainError {
  return new DomainError('EPCIS_INVALID', `epcisBody.eventList[${index}]: ${message}; nothing was captured`, { issues: [{ path: `epcisBody.eventList[${index}]`, rule: 'profile', message }] });
}
