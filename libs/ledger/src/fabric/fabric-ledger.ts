import * as grpc from '@grpc/grpc-js';
import {
  ChaincodeEvent, CloseableAsyncIterable, Commit, Contract, Gateway, Network, Status, SubmittedTransaction, Transaction,
  connect, hash, signers,
} from '@hyperledger/fabric-gateway';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import {
  CallOptions, CommittedEvent, CommittedEventStream, EventOptions, Ledger, LedgerCheckpoint, LedgerEvent, LedgerEventStream, SubmitOptions,
  SubmitResult,
} from '../ledger.port';
import type { common } from '@hyperledger/fabric-protos';
import { chaincodeEventsOfBlock } from './block-events';
import { LedgerError } from '../ledger-error';
import { TX_CODE, toLedgerError } from './error-mapping';

/** How to reach a peer's gateway as one organisation's identity. PEM contents, not paths. */
export interface FabricLedgerConfig {
  readonly mspId: string;
  /** host:port of the organisation's own peer, whose gateway endorses, orders and reports commits. */
  readonly peerEndpoint: string;
  readonly tlsRootCert: Buffer;
  /** The TLS client identity for a peer that requires mutual TLS (PEM); without it the client presents none. */
  readonly tlsClientCertificate?: Buffer;
  readonly tlsClientKey?: Buffer;
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
  readonly channel: string;
  readonly chaincode: string;
  /** Name to verify the peer's TLS certificate against when the endpoint is an IP address. */
  readonly tlsServerName?: string;
  readonly deadlines?: Partial<LedgerDeadlines>;
}

/**
 * Milliseconds each step may take. Every call has one: a dead peer is an error, never a hang. A
 * submit's overall deadline, unless the call gives `timeoutMs`, is endorse + submit + commitStatus.
 */
export interface LedgerDeadlines {
  readonly evaluate: number;
  readonly endorse: number;
  readonly submit: number;
  readonly commitStatus: number;
  /**
   * How long to wait for a commit before sending the same signed transaction to the orderer again.
   * An orderer that crashed after accepting a transaction, before cutting its block, has lost it;
   * without a resend the client would only learn that at the commit-status deadline.
   */
  readonly resubmitAfter: number;
}

/** How often a refusal by lagging peers of other organisations is re-run before it stands. */
const STALE_PEER_RETRIES = 2;

/**
 * A submit answers within endorse + submit + commitStatus (40 s) unless the caller says otherwise.
 * Commit status is the step that can wait for nothing: a transaction the orderer accepted and then
 * lost in a crash never commits, so its status is "unknown" until the deadline. 15 s is ~10x the
 * p99 commit latency under load (docs/performance.md) and short enough for a person at a counter.
 */
export const DEFAULT_DEADLINES: LedgerDeadlines = { evaluate: 10_000, endorse: 15_000, submit: 10_000, commitStatus: 15_000, resubmitAfter: 8_000 };

/**
 * Connects to a Fabric peer's gateway. The connection is lazy: an unreachable peer surfaces as an
 * `unavailable` {@link LedgerError} on the first call, so a service can start and report it in health.
 */
export function connectFabricLedger(config: FabricLedgerConfig): Ledger {
  return new FabricLedgerImpl(config);
}

class FabricLedgerImpl implements Ledger {
  readonly mspId: string;
  private readonly client: grpc.Client;
  private readonly gateway: Gateway;
  private readonly network: Network;
  private readonly deadlines: LedgerDeadlines;
  private readonly contracts = new Map<string, Contract>();

  constructor(private readonly config: FabricLedgerConfig) {
    this.mspId = config.mspId;
    this.deadlines = { ...DEFAULT_DEADLINES, ...config.deadlines };
    this.client = new grpc.Client(config.peerEndpoint, grpc.credentials.createSsl(config.tlsRootCert, config.tlsClientKey ?? null, config.tlsClientCertificate ?? null), {
      'grpc.max_receive_message_length': 100 * 1024 * 1024,
      'grpc.max_send_message_length': 100 * 1024 * 1024,
      ...(config.tlsServerName ? { 'grpc.ssl_target_name_override': config.tlsServerName } : {}),
    });
    this.gateway = connect({
      client: this.client,
      identity: { mspId: config.mspId, credentials: config.certificate },
      signer: signers.newPrivateKeySigner(createPrivateKey(config.privateKey)),
      hash: hash.sha256,
      // Under mutual TLS the peer's deliver service binds event requests to the client's TLS
      // certificate: without its hash, block and chaincode event streams are refused.
      ...(config.tlsClientCertificate ? { tlsClientCertificateHash: tlsCertificateHash(config.tlsClientCertificate) } : {}),
    });
    this.network = this.gateway.getNetwork(config.channel);
  }

  private contract(options: CallOptions): Contract {
    const chaincode = options.chaincode ?? this.config.chaincode;
    const key = `${chaincode}|${options.contract ?? ''}`;
    let c = this.contracts.get(key);
    if (!c) {
      c = options.contract ? this.network.getContract(chaincode, options.contract) : this.network.getContract(chaincode);
      this.contracts.set(key, c);
    }
    return c;
  }

  async evaluate(transaction: string, args: readonly string[], options: CallOptions = {}): Promise<Uint8Array> {
    const deadline = Date.now() + (options.timeoutMs ?? this.deadlines.evaluate);
    try {
      return await this.contract(options).newProposal(transaction, { arguments: [...args] }).evaluate({ deadline });
    } catch (err) {
      throw toLedgerError(err, 'evaluate');
    }
  }

  async submit(transaction: string, args: readonly string[], options: SubmitOptions = {}): Promise<SubmitResult> {
    const retries = options.conflictRetries ?? 3;
    const overall = Date.now() + (options.timeoutMs ?? this.deadlines.endorse + this.deadlines.submit + this.deadlines.commitStatus);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.submitOnce(transaction, args, options, overall);
      } catch (err) {
        const e = toLedgerError(err, 'submit');
        const retry = e.kind === 'conflict' || (attempt < STALE_PEER_RETRIES && (this.refusedOnlyByOtherOrgs(e) || endorsementsDiffered(e)));
        if (!retry || attempt >= Math.max(retries, STALE_PEER_RETRIES) || Date.now() > overall) throw e;
        // A read conflict means another transaction changed what this one read; a refusal by other
        // organisations' peers alone, or peers whose results differ, most likely means some have
        // not yet committed the block another already has (each peer pulls blocks on its own).
        // Either way: re-run from a new proposal (new transaction ID) after a short, jittered pause;
        // nothing reached the orderer.
        await sleep(e.kind === 'conflict' ? 25 * 2 ** attempt + Math.floor(Math.random() * 25) : 200 * (attempt + 1));
      }
    }
  }

  private async submitOnce(transaction: string, args: readonly string[], options: SubmitOptions, overall: number): Promise<SubmitResult> {
    const proposal = this.contract(options).newProposal(transaction, {
      arguments: [...args],
      transientData: options.transient ? { ...options.transient } : undefined,
      endorsingOrganizations: options.endorsingOrganizations ? [...options.endorsingOrganizations] : undefined,
    });
    const transactionId = proposal.getTransactionId();
    let endorsed;
    try {
      // A caller's own timeout covers endorsement too (a 5,000-serial batch endorses for seconds).
      endorsed = await proposal.endorse({ deadline: Math.min(overall, Date.now() + (options.timeoutMs ?? this.deadlines.endorse)) });
    } catch (err) {
      throw toLedgerError(err, 'endorse', transactionId);
    }
    const submitted = await this.submitSigned(endorsed, overall, transactionId);
    // Never resend a transaction that writes private data (transient input): a duplicate copy carries
    // private write-set hashes whose data is already purged from the transient stores, and every
    // eligible peer then holds up its commits while it tries to fetch that data (pullRetryThreshold:
    // 60 s by default, 5 s on infra's network).
    const resend = !options.transient || Object.keys(options.transient).length === 0;
    const status = await this.commitStatus(endorsed, submitted, overall, transactionId, resend);
    if (!status.successful) {
      const conflict = status.code === TX_CODE.MVCC_READ_CONFLICT || status.code === TX_CODE.PHANTOM_READ_CONFLICT;
      throw new LedgerError({
        stage: 'commit',
        kind: conflict ? 'conflict' : status.code === TX_CODE.ENDORSEMENT_POLICY_FAILURE ? 'policy' : 'invalid',
        code: status.code,
        transactionId,
        message: `transaction ${transactionId} committed as invalid in block ${status.blockNumber} (validation code ${status.code})`,
      });
    }
    return { transactionId, blockNumber: status.blockNumber, payload: endorsed.getResult() };
  }

  /**
   * The chaincode refused on some peers, and our own organisation's peer — which has committed every
   * transaction this client waited for — is not among them: the others may be a block behind.
   */
  private refusedOnlyByOtherOrgs(e: LedgerError): boolean {
    return e.stage === 'endorse' && e.kind === 'chaincode' && e.details.length > 0
      && e.details.every((d) => d.mspId !== undefined && d.mspId !== this.mspId);
  }

  /** The orderer being briefly away is safe to wait out: the same signed transaction is re-sent. */
  private async submitSigned(endorsed: Transaction, overall: number, transactionId: string): Promise<SubmittedTransaction> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await endorsed.submit({ deadline: Math.min(overall, Date.now() + this.deadlines.submit) });
      } catch (err) {
        const e = toLedgerError(err, 'submit', transactionId);
        if (e.kind !== 'unavailable' || Date.now() + 500 > overall) throw e;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
  }

  /**
   * A commit-status timeout means "not known yet", so ask again until the overall deadline. Each
   * wait that passes `resubmitAfter` without a commit sends the same signed envelope to the orderer
   * again: safe, because validation keeps the first valid copy of a transaction ID and marks every
   * later one DUPLICATE_TXID (no effect, no chaincode event), and the commit status of an ID is
   * that of its first copy. It turns an orderer crash that lost the transaction into a delay.
   * Transactions with private data are only waited for (see submitOnce).
   */
  private async commitStatus(endorsed: Transaction, commit: Commit, overall: number, transactionId: string, resend: boolean): Promise<Status> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await commit.getStatus({ deadline: Math.min(overall, Date.now() + this.deadlines.resubmitAfter) });
      } catch (err) {
        const e = toLedgerError(err, 'commit-status', transactionId);
        const now = Date.now();
        if (!e.retryable || now + 500 > overall) throw e;
        if (e.kind === 'deadline' && resend) {
          await endorsed.submit({ deadline: Math.min(overall, now + this.deadlines.submit) }).catch(() => undefined);
        } else {
          await sleep(Math.min(2000, 100 * 2 ** attempt));
        }
      }
    }
  }

  chaincodeEvents(from?: LedgerCheckpoint, options: EventOptions = {}): LedgerEventStream {
    const checkpoint = from && {
      getBlockNumber: () => from.blockNumber,
      getTransactionId: () => from.transactionId,
    };
    let source: CloseableAsyncIterable<ChaincodeEvent> | undefined;
    let closed = false;
    const open = async () => {
      try {
        source = await this.network.getChaincodeEvents(options.chaincode ?? this.config.chaincode, { checkpoint, startBlock: options.startBlock });
        if (closed) source.close();
        return source;
      } catch (err) {
        throw toLedgerError(err, 'events');
      }
    };
    return {
      close: () => { closed = true; source?.close(); },
      async *[Symbol.asyncIterator](): AsyncIterator<LedgerEvent> {
        const events = await open();
        try {
          for await (const e of events) {
            yield { blockNumber: e.blockNumber, transactionId: e.transactionId, eventName: e.eventName, payload: e.payload };
          }
        } catch (err) {
          if (closed) return;
          throw toLedgerError(err, 'events');
        } finally {
          events.close();
        }
      },
    };
  }

  committedEvents(from?: LedgerCheckpoint, options: EventOptions = {}): CommittedEventStream {
    // Blocks from the checkpoint's own block: the transactions after its transaction are still to do.
    const startBlock = from ? from.blockNumber : options.startBlock;
    const chaincode = options.chaincode ?? this.config.chaincode;
    let source: CloseableAsyncIterable<common.Block> | undefined;
    let closed = false;
    const open = async () => {
      try {
        source = await this.network.getBlockEvents(startBlock !== undefined ? { startBlock } : {});
        if (closed) source.close();
        return source;
      } catch (err) {
        throw toLedgerError(err, 'events');
      }
    };
    return {
      close: () => { closed = true; source?.close(); },
      async *[Symbol.asyncIterator](): AsyncIterator<CommittedEvent> {
        const blocks = await open();
        try {
          for await (const block of blocks) {
            for (const e of chaincodeEventsOfBlock(block, chaincode, from)) yield e;
          }
        } catch (err) {
          if (closed) return;
          throw toLedgerError(err, 'events');
        } finally {
          blocks.close();
        }
      },
    };
  }

  close(): void {
    this.gateway.close();
    this.client.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The endorsing peers simulated the proposal on different ledger heights (a configuration or
 * record change one of them had not committed yet), so their results differ and the gateway
 * refused to assemble a transaction: nothing was ordered, a new proposal is safe.
 */
function endorsementsDiffered(e: LedgerError): boolean {
  return e.stage === 'endorse' && /ProposalResponsePayloads do not match/i.test(e.message);
}

/** SHA-256 of the DER form of a PEM certificate (what Fabric's TLS binding compares). */
export function tlsCertificateHash(pem: Buffer): Uint8Array {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest();
}
