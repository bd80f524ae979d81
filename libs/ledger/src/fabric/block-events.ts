import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { CommittedEvent, LedgerCheckpoint } from '../ledger.port';
import { LedgerError } from '../ledger-error';

/**
 * Reads what a committed block itself says about each transaction: its ID and timestamp (channel
 * header), its creator (the signature header's serialized identity), its validation code (the
 * block's TRANSACTIONS_FILTER metadata, set by the committing peer) and the chaincode event its
 * endorsed action carries. A chaincode event's payload is only what the chaincode chose to write;
 * these fields are what the channel's peers validated, so a read model trusts them instead.
 */

/** Validation codes from the block; only VALID transactions changed the world state. */
export const VALIDATION_CODE = peer.TxValidationCode;
const NOT_VALIDATED = peer.TxValidationCode.NOT_VALIDATED;

/** The proto timestamp's fields (google-protobuf ships no type declarations for it). */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

/**
 * The chaincode events of `chaincode` in a block, one per endorser transaction that carries one,
 * invalid transactions included (with their code): the caller decides what an invalid one means.
 * With `after` (a checkpoint in this block), transactions up to and including its transaction are
 * left out: the resume point of a listener that stored the checkpoint with its own effects.
 */
export function chaincodeEventsOfBlock(block: common.Block, chaincode: string, after?: LedgerCheckpoint): CommittedEvent[] {
  const header = block.getHeader();
  if (!header) throw malformed('a block without a header');
  const blockNumber = BigInt(header.getNumber());
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const events: CommittedEvent[] = [];
  // Skip through the checkpoint's transaction only when it is in this very block.
  let skipping = after !== undefined && after.transactionId !== undefined && after.blockNumber === blockNumber;
  for (let i = 0; i < envelopes.length; i++) {
    const tx = endorserTransaction(envelopes[i], blockNumber, i);
    if (!tx) continue;
    if (skipping) {
      if (tx.transactionId === after?.transactionId) skipping = false;
      continue;
    }
    const event = chaincodeEventOf(tx.transaction, chaincode);
    if (!event) continue;
    events.push({
      blockNumber,
      transactionId: tx.transactionId,
      creatorMspId: tx.creatorMspId,
      validationCode: i < filter.length ? filter[i] : NOT_VALIDATED,
      ...(tx.timestamp ? { timestamp: tx.timestamp } : {}),
      eventName: event.getEventName(),
      payload: event.getPayload_asU8(),
    });
  }
  if (skipping) {
    // The checkpoint names a transaction this block does not hold: delivering the block again
    // could double what was stored, skipping it could lose it. Neither is safe; stop and say so.
    throw new LedgerError({ stage: 'events', kind: 'invalid', message: `checkpoint transaction ${after?.transactionId} is not in block ${blockNumber}`, transactionId: after?.transactionId });
  }
  return events;
}

interface EndorserTransaction {
  readonly transactionId: string;
  readonly creatorMspId: string;
  readonly timestamp?: string;
  readonly transaction: peer.Transaction;
}

/** undefined for config and other non-endorser transactions, which carry no chaincode events. */
function endorserTransaction(envelopeBytes: Uint8Array, blockNumber: bigint, index: number): EndorserTransaction | undefined {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const header = payload.getHeader();
    if (!header) return undefined;
    const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return undefined;
    const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const creator = msp.SerializedIdentity.deserializeBinary(signatureHeader.getCreator_asU8());
    const ts = channelHeader.getTimestamp() as ProtoTimestamp | undefined;
    return {
      transactionId: channelHeader.getTxId(),
      creatorMspId: creator.getMspid(),
      ...(ts ? { timestamp: new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6)).toISOString() } : {}),
      transaction: peer.Transaction.deserializeBinary(payload.getData_asU8()),
    };
  } catch (err) {
    throw malformed(`transaction ${index} of block ${blockNumber} cannot be parsed: ${(err as Error).message}`);
  }
}

/** The event of the first action that invoked `chaincode` and set one (Fabric keeps one per action). */
function chaincodeEventOf(transaction: peer.Transaction, chaincode: string): peer.ChaincodeEvent | undefined {
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) continue;
    const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
    const eventBytes = chaincodeAction.getEvents_asU8();
    if (!eventBytes.length) continue;
    const event = peer.ChaincodeEvent.deserializeBinary(eventBytes);
    if (event.getChaincodeId() === chaincode && event.getEventName()) return event;
  }
  return undefined;
}

function malformed(message: string): LedgerError {
  return new LedgerError({ stage: 'events', kind: 'invalid', message });
}
