import { status } from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { LedgerError } from '../ledger-error';
import { TX_CODE, toLedgerError } from './error-mapping';

const grpcCause = (code: number) => Object.assign(new Error('grpc'), { code, details: '', metadata: undefined }) as never;

describe('toLedgerError', () => {
  it.each([
    ['a peer that cannot be reached', status.UNAVAILABLE, 'failed to connect', 'unavailable', true],
    ['a deadline', status.DEADLINE_EXCEEDED, 'deadline exceeded', 'deadline', true],
    ['an identity the channel does not know', status.PERMISSION_DENIED, 'access denied', 'denied', false],
    ['an unknown creator reported as a plain failure', status.UNKNOWN, 'access denied: creator org unknown', 'denied', false],
    ['non-deterministic chaincode', status.ABORTED, 'ProposalResponsePayloads do not match', 'invalid', false],
    ['a peer killed mid-call', status.INTERNAL, 'Received RST_STREAM with code 2 triggered by internal client error', 'unavailable', true],
    ['a chaincode server killed mid-simulation', status.ABORTED, 'error in simulation: failed to execute transaction abc: chaincode stream terminated', 'unavailable', true],
    ['a chaincode server not yet back', status.ABORTED, 'error in simulation: failed to execute transaction abc: could not launch chaincode pedigree_1:ab: connection to 127.0.0.1:9999 failed: context deadline exceeded', 'unavailable', true],
    ['a chaincode that did not answer in time', status.ABORTED, 'error in simulation: failed to execute transaction abc: timeout expired while executing transaction', 'deadline', true],
    ['a client without a TLS certificate (mutual TLS)', status.UNAVAILABLE, 'No connection established. Last error: error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required', 'denied', false],
    ['a client of a CA the peer no longer trusts (a removed member)', status.UNAVAILABLE, 'No connection established. Last error: error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca', 'denied', false],
    ['an unexplained internal error', status.INTERNAL, 'something else', 'unknown', false],
    ['a restarted peer whose discovery has no plan yet', status.FAILED_PRECONDITION, 'no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy', 'unavailable', true],
  ])('maps %s to kind %s', (_case, code, message, kind, retryable) => {
    const err = toLedgerError(new GatewayError({ code, details: [], cause: grpcCause(code), message }), 'evaluate');
    expect(err).toMatchObject({ stage: 'evaluate', kind, code, retryable });
  });

  it('reads the chaincode\'s own error code from the peers\' details and keeps the endorse stage', () => {
    const err = toLedgerError(new EndorseError({
      code: status.ABORTED,
      cause: grpcCause(status.ABORTED),
      transactionId: 'tx1',
      message: 'failed to endorse',
      details: [{ address: '127.0.0.1:7051', mspId: 'ManufacturerMSP', message: 'chaincode response 500, NOT_OWNER: pack is owned by DistributorMSP' }],
    }), 'submit');
    expect(err).toMatchObject({
      stage: 'endorse', kind: 'chaincode', chaincodeCode: 'NOT_OWNER', transactionId: 'tx1', retryable: false,
      message: 'pack is owned by DistributorMSP',
    });
    expect(err.details[0]).toMatchObject({ peer: '127.0.0.1:7051', mspId: 'ManufacturerMSP' });
  });

  it.each([
    [TX_CODE.MVCC_READ_CONFLICT, 'conflict', true],
    [TX_CODE.PHANTOM_READ_CONFLICT, 'conflict', true],
    [TX_CODE.ENDORSEMENT_POLICY_FAILURE, 'policy', false],
    [9 /* DUPLICATE_TXID */, 'invalid', false],
  ])('maps commit validation code %s to %s', (code, kind, retryable) => {
    const err = toLedgerError(new CommitError({ code: code as never, transactionId: 'tx2' }), 'submit');
    expect(err).toMatchObject({ stage: 'commit', kind, code, transactionId: 'tx2', retryable });
  });

  it('passes LedgerErrors through and wraps anything else as unknown', () => {
    const original = new LedgerError({ stage: 'submit', kind: 'unavailable', message: 'x' });
    expect(toLedgerError(original, 'evaluate')).toBe(original);
    expect(toLedgerError(new TypeError('boom'), 'events')).toMatchObject({ stage: 'events', kind: 'unknown', message: 'boom' });
  });
});
