import { status as grpcStatus } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import { LedgerError, LedgerErrorDetail, LedgerErrorKind, LedgerStage } from '../ledger-error';

/** Transaction validation codes (peer.TxValidationCode) this adapter treats specially. */
export const TX_CODE = {
  ENDORSEMENT_POLICY_FAILURE: 10,
  MVCC_READ_CONFLICT: 11,
  PHANTOM_READ_CONFLICT: 12,
} as const;

// The chaincode reports business errors as "CODE: message" (see chaincode/README.md); the peer wraps
// them as "chaincode response 500, CODE: message".
const CHAINCODE_MESSAGE = /chaincode response \d+, (?:([A-Z][A-Z0-9_]+): )?(.*)$/s;

export function toLedgerError(err: unknown, stage: LedgerStage, transactionId?: string): LedgerError {
  if (err instanceof LedgerError) return err;
  if (err instanceof CommitError) {
    const conflict = err.code === TX_CODE.MVCC_READ_CONFLICT || err.code === TX_CODE.PHANTOM_READ_CONFLICT;
    return new LedgerError({
      stage: 'commit',
      kind: conflict ? 'conflict' : err.code === TX_CODE.ENDORSEMENT_POLICY_FAILURE ? 'policy' : 'invalid',
      message: `transaction ${err.transactionId} committed as invalid (validation code ${err.code})`,
      code: err.code,
      transactionId: err.transactionId,
      cause: err,
    });
  }
  if (err instanceof GatewayError) {
    const details: LedgerErrorDetail[] = err.details.map((d) => ({ peer: d.address, mspId: d.mspId, message: d.message }));
    const texts = [err.message, ...details.map((d) => d.message)];
    const chaincode = texts.map((t) => CHAINCODE_MESSAGE.exec(t)).find((m) => m !== null);
    const txId = transactionId ?? (err as { transactionId?: string }).transactionId;
    const actualStage: LedgerStage = err instanceof EndorseError ? 'endorse'
      : err instanceof CommitStatusError ? 'commit-status'
      : stage;
    if (chaincode) {
      return new LedgerError({
        stage: actualStage, kind: 'chaincode', code: err.code, transactionId: txId, details, cause: err,
        chaincodeCode: chaincode[1], message: chaincode[2].trim(),
      });
    }
    const kind = kindOfStatus(err.code, texts.join('\n'));
    const summary = details.length ? `${err.message}: ${details.map((d) => `${d.mspId ?? d.peer}: ${d.message}`).join('; ')}` : err.message;
    return new LedgerError({ stage: actualStage, kind, code: err.code, transactionId: txId, details, cause: err, message: summary });
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  return new LedgerError({
    stage, transactionId, cause: err, message,
    code: typeof code === 'number' ? code : undefined,
    kind: typeof code === 'number' ? kindOfStatus(code, message) : 'unknown',
  });
}

// The peer lost its chaincode server mid-simulation (killed, restarting) or cannot reach it yet:
// nothing was endorsed, and the peer reconnects on the next proposal.
const CHAINCODE_GONE = /chaincode stream terminated|could not launch chaincode|connection to [^ ]+ failed|chaincode [^ ]+ not (?:registered|running)/i;
// The chaincode did not answer the peer in time: the proposal was not endorsed.
const CHAINCODE_TIMEOUT = /timeout expired while executing transaction/i;

// The peer refused this client's TLS certificate at the handshake (mutual TLS): no certificate, one
// from a CA it does not trust (an organisation removed from the channel), revoked or expired. An
// alert is the server's answer; a server this client does not trust fails as "certificate verify failed".
const TLS_CLIENT_REFUSED = /alert (certificate required|unknown ca|bad certificate|certificate revoked|certificate expired|certificate unknown|access denied)/i;

function kindOfStatus(code: number, text: string): LedgerErrorKind {
  if (TLS_CLIENT_REFUSED.test(text)) return 'denied';
  if (CHAINCODE_GONE.test(text)) return 'unavailable';
  if (CHAINCODE_TIMEOUT.test(text)) return 'deadline';
  switch (code) {
    case grpcStatus.UNAVAILABLE:
      return 'unavailable';
    case grpcStatus.DEADLINE_EXCEEDED:
      return 'deadline';
    case grpcStatus.INTERNAL:
    case grpcStatus.CANCELLED:
      // A peer killed mid-call: the stream is reset under us. Nothing was endorsed or ordered.
      if (/RST_STREAM|stream (removed|reset)|connection (reset|dropped|closed)|GOAWAY|socket hang up|ECONNRESET/i.test(text)) return 'unavailable';
      return 'unknown';
    case grpcStatus.PERMISSION_DENIED:
    case grpcStatus.UNAUTHENTICATED:
      return 'denied';
    default:
      if (/access denied|creator.*(unknown|not valid)|certificate.*(unknown|invalid)|signature.*invalid/i.test(text)) return 'denied';
      if (/failed to connect|connection refused|no (peers|endorsers) available|unavailable/i.test(text)) return 'unavailable';
      // A restarted peer's discovery has not yet heard, through gossip, of the other organisations'
      // peers: no endorsement plan for a few seconds. Transient; nothing was endorsed.
      if (/no (combination of peers|peer combination) can (be derived|satisfy)/i.test(text)) return 'unavailable';
      if (/ProposalResponsePayloads do not match/i.test(text)) return 'invalid';
      return 'unknown';
  }
}
