import { common, msp, peer } from '@hyperledger/fabric-protos';
import { LedgerError } from '../ledger-error';
import { chaincodeEventsOfBlock } from './block-events';

/** One endorser transaction as a peer would put it in a block, built from Fabric's own protos. */
interface TxSpec {
  readonly txId: string;
  readonly creator: string;
  readonly chaincode?: string;
  readonly eventName?: string;
  readonly payload?: string;
  /** The txId the chaincode event claims (the shim sets it; a modified chaincode cannot change it, but nothing relies on it). */
  readonly eventTxId?: string;
  readonly headerType?: number;
}

function envelope(t: TxSpec): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(t.headerType ?? common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setTxId(t.txId);
  channelHeader.setChannelId('supplychain');
  const identity = new msp.SerializedIdentity();
  identity.setMspid(t.creator);
  identity.setIdBytes(Buffer.from('-----BEGIN CERTIFICATE-----'));
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(identity.serializeBinary());
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const action = new peer.ChaincodeAction();
  if (t.eventName) {
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(t.chaincode ?? 'pedigree');
    event.setTxId(t.eventTxId ?? t.txId);
    event.setEventName(t.eventName);
    event.setPayload(Buffer.from(t.payload ?? '{}'));
    action.setEvents(event.serializeBinary());
  }
  const response = new peer.ProposalResponsePayload();
  response.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(response.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setAction(endorsed);
  const txAction = new peer.TransactionAction();
  txAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([txAction]);

  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(transaction.serializeBinary());
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

function block(number: number, txs: TxSpec[], codes: number[]): common.Block {
  const b = new common.Block();
  const header = new common.BlockHeader();
  header.setNumber(number);
  b.setHeader(header);
  const data = new common.BlockData();
  data.setDataList(txs.map(envelope));
  b.setData(data);
  const metadata = new common.BlockMetadata();
  const list: Uint8Array[] = [new Uint8Array(), new Uint8Array(), Uint8Array.from(codes), new Uint8Array(), new Uint8Array()];
  metadata.setMetadataList(list);
  b.setMetadata(metadata);
  return b;
}

const VALID = peer.TxValidationCode.VALID;
const MVCC = peer.TxValidationCode.MVCC_READ_CONFLICT;

describe('chaincodeEventsOfBlock', () => {
  const txs: TxSpec[] = [
    { txId: 't1', creator: 'ManufacturerMSP', eventName: 'commission', payload: '{"actor":"ManufacturerMSP"}' },
    { txId: 't2', creator: 'DistributorMSP', eventName: 'ship' },
    { txId: 't3', creator: 'DispenserMSP', eventName: 'other', chaincode: 'another-chaincode' },
    { txId: 't4', creator: 'DispenserMSP' },
    { txId: 't5', creator: 'DispenserMSP', eventName: 'dispense' },
  ];

  it('takes transaction ID, creator and validation code from the block, and the event from the endorsed action', () => {
    const events = chaincodeEventsOfBlock(block(7, txs, [VALID, MVCC, VALID, VALID, VALID]), 'pedigree');
    expect(events.map((e) => ({ ...e, payload: Buffer.from(e.payload).toString() }))).toEqual([
      { blockNumber: 7n, transactionId: 't1', creatorMspId: 'ManufacturerMSP', validationCode: VALID, eventName: 'commission', payload: '{"actor":"ManufacturerMSP"}' },
      { blockNumber: 7n, transactionId: 't2', creatorMspId: 'DistributorMSP', validationCode: MVCC, eventName: 'ship', payload: '{}' },
      { blockNumber: 7n, transactionId: 't5', creatorMspId: 'DispenserMSP', validationCode: VALID, eventName: 'dispense', payload: '{}' },
    ]);
  });

  it('uses the channel header\'s transaction ID, not the one the event claims', () => {
    const [e] = chaincodeEventsOfBlock(block(3, [{ txId: 'real', creator: 'DistributorMSP', eventName: 'ship', eventTxId: 'claimed' }], [VALID]), 'pedigree');
    expect(e.transactionId).toBe('real');
  });

  it('resumes after the checkpoint\'s transaction in the checkpoint\'s block only', () => {
    const b = block(7, txs, [VALID, VALID, VALID, VALID, VALID]);
    expect(chaincodeEventsOfBlock(b, 'pedigree', { blockNumber: 7n, transactionId: 't2' }).map((e) => e.transactionId)).toEqual(['t5']);
    expect(chaincodeEventsOfBlock(b, 'pedigree', { blockNumber: 6n, transactionId: 't2' }).map((e) => e.transactionId)).toEqual(['t1', 't2', 't5']);
    expect(chaincodeEventsOfBlock(b, 'pedigree', { blockNumber: 7n }).map((e) => e.transactionId)).toEqual(['t1', 't2', 't5']);
  });

  it('refuses a checkpoint whose transaction the block does not hold, rather than double or lose events', () => {
    expect(() => chaincodeEventsOfBlock(block(7, txs, [VALID, VALID, VALID, VALID, VALID]), 'pedigree', { blockNumber: 7n, transactionId: 'nope' }))
      .toThrow(LedgerError);
  });

  it('skips config transactions and marks a transaction the block has no verdict for as not validated', () => {
    const events = chaincodeEventsOfBlock(block(0, [
      { txId: 'cfg', creator: 'OrdererMSP', eventName: 'x', headerType: common.HeaderType.CONFIG },
      { txId: 't', creator: 'ManufacturerMSP', eventName: 'commission' },
    ], [VALID]), 'pedigree');
    expect(events).toMatchObject([{ transactionId: 't', validationCode: peer.TxValidationCode.NOT_VALIDATED }]);
  });

  it('reports an unparsable transaction as a typed events error', () => {
    const b = block(9, [], []);
    b.getData()?.setDataList([Uint8Array.from([0xff, 0xff, 0xff])]);
    expect(() => chaincodeEventsOfBlock(b, 'pedigree')).toThrow(expect.objectContaining({ name: 'LedgerError', stage: 'events', kind: 'invalid' }));
  });
});
