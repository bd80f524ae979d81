import { DomainError, normaliseGtin, normaliseVocabulary, parseEpcUrn, type LedgerCommandInputs, type LedgerCommandName } from '@pedigree/domain';
import type { MutationReceipt } from './ledger-commands';
import type { PartnerContext } from './partner-context';

/**
 * How a validated EPCIS event becomes the chaincode command that records it: shared by the
 * synchronous POST /epcis/capture and the EPCIS 2.0 REST binding's capture jobs.
 */

export interface EventShape {
  type: string; action?: string; bizStep?: string; eventID?: string; epcList?: string[]; parentID?: string; childEPCs?: string[];
  ilmd?: Record<string, string>; readPoint?: { id: string };
}

/** A chaincode command an EPCIS event maps to, typed per transaction. */
export type CapturedCommand = { [K in LedgerCommandName]: { readonly transaction: K; readonly command: Omit<LedgerCommandInputs[K], 'eventId'> } }[LedgerCommandName];

export function submitCaptured(p: PartnerContext, c: CapturedCommand, eventId: string, submittedBy?: string): Promise<MutationReceipt> {
  // TypeScript does not correlate the union's transaction with its command; CapturedCommand does.
  return p.commands.submit(c.transaction, { ...c.command, eventId, ...(submittedBy ? { submittedBy } : {}) } as LedgerCommandInputs[typeof c.transaction]);
}

/** Maps one validated DSCSA event to the chaincode command that records it. */
export function commandFor(e: EventShape, index: number): CapturedCommand {
  const step = e.bizStep ? normaliseVocabulary('bizStep', e.bizStep) : '';
  const epcs = e.epcList ?? [];
  switch (`${e.type}/${e.action}/${step}`) {
    case 'ObjectEvent/ADD/commissioning': {
      const ids = epcs.map((x) => parseEpcUrn(x) as unknown as { scheme: string; gtin?: string; serial?: string });
      const gtins = new Set(ids.map((i) => i.gtin));
      if (gtins.size !== 1 || ids.some((i) => i.scheme !== 'sgtin')) throw refuse(index, 'a commissioning event must list SGTINs of one GTIN');
      return {
        transaction: 'Commission',
        command: { gtin: normaliseGtin([...gtins][0] as string), lot: String(e.ilmd?.['cbvmda:lotNumber'] ?? ''), expiry: String(e.ilmd?.['cbvmda:itemExpirationDate'] ?? ''), serials: ids.map((i) => String(i.serial)) },
      };
    }
    case 'AggregationEvent/ADD/packing':
      return { transaction: 'Pack', command: { parent: String(e.parentID ?? ''), children: e.childEPCs ?? [], sealed: true } };
    case 'AggregationEvent/DELETE/unpacking':
      return { transaction: 'Unpack', command: { parent: String(e.parentID ?? ''), ...(e.childEPCs?.length ? { children: e.childEPCs } : {}) } };
    case 'ObjectEvent/OBSERVE/receiving':
      return { transaction: 'Receive', command: { epcs } };
    case 'ObjectEvent/OBSERVE/dispensing':
      return { transaction: 'Dispense', command: { epcs } };
    case 'ObjectEvent/DELETE/decommissioning':
      return { transaction: 'Decommission', command: { epcs } };
    case 'ObjectEvent/DELETE/destroying':
      return { transaction: 'Destroy', command: { epcs } };
    default:
      // Shipping needs the DSCSA Transaction Information, which must travel privately: use shipPacks.
      throw refuse(index, `${e.type} ${e.action} ${step || '(no bizStep)'} is not captured here${step === 'shipping' ? ' (ship with the shipPacks mutation: TI is private)' : ''}`);
  }
}

function refuse(index: number, message: string): DomainError {
  return new DomainError('EPCIS_INVALID', `epcisBody.eventList[${index}]: ${message}; nothing was captured`, { issues: [{ path: `epcisBody.eventList[${index}]`, rule: 'profile', message }] });
}
