import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';
import {
  ChaincodeEventListener, CheckpointStore, CommittedEvent, defaultProfilePath, LedgerCheckpoint, ledgerConfigFromProfile, readConnectionProfile,
} from '@pedigree/ledger';
import { createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ledgerFor, ROOT, uniqueKey } from '../support/ledger';

/**
 * A projection kept in one JSON file, written atomically (write, fsync, rename) together with its
 * checkpoint: the file analogue of the read model's SQL transaction.
 */
class FileProjection implements CheckpointStore {
  constructor(private readonly file: string, private readonly prefix: string) {}

  read(): { keys: string[]; transactions: Array<{ txId: string; creator: string }>; checkpoint?: { blockNumber: string; transactionId?: string } } {
    return fs.existsSync(this.file) ? JSON.parse(fs.readFileSync(this.file, 'utf8')) : { keys: [], transactions: [] };
  }

  async load(): Promise<LedgerCheckpoint | undefined> {
    const cp = this.read().checkpoint;
    return cp && { blockNumber: BigInt(cp.blockNumber), transactionId: cp.transactionId };
  }

  apply = async (event: CommittedEvent, checkpoint: LedgerCheckpoint): Promise<void> => {
    const state = this.read();
    const { key } = JSON.parse(Buffer.from(event.payload).toString()) as { key?: string };
    if (event.eventName === 'ProbeWritten' && key?.startsWith(this.prefix)) {
      state.keys.push(key);
      state.transactions.push({ txId: event.transactionId, creator: event.creatorMspId });
    }
    state.checkpoint = { blockNumber: checkpoint.blockNumber.toString(), transactionId: checkpoint.transactionId };
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, JSON.stringify(state));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
  };
}

describe('a checkpointed listener over committed blocks', () => {
  it('resumes after a restart and after a failing handler, seeing each event exactly once, with the block\'s transaction ID and creator', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pedigree-listener-'));
    const prefix = uniqueKey('listen');
    const projection = new FileProjection(path.join(dir, 'projection.json'), prefix);
    const writer = ledgerFor('manufacturer');
    const txIds: string[] = [];
    const put = async (i: number) => {
      const r = await writer.submit('Put', [`${prefix}-${i}`, String(i)], { chaincode: 'pedigree-probe', contract: 'probe' });
      txIds.push(r.transactionId);
      return r;
    };

    try {
      const first = await put(0);
      // Start at the first write's block: the store is empty, so that is where listening begins.
      for (let i = 1; i < 3; i++) await put(i);
      let ledger = ledgerFor('distributor');
      let listener = new ChaincodeEventListener(ledger, projection, projection.apply, { startBlock: first.blockNumber, retryDelayMs: 100, chaincode: 'pedigree-probe' });
      listener.start();
      await until(() => projection.read().keys.length === 3, 30_000);
      await listener.stop();
      ledger.close();

      // Written while nobody listens; one event's first delivery fails before anything is stored.
      for (let i = 3; i < 6; i++) await put(i);
      let failedOnce = false;
      const flaky = async (event: CommittedEvent, cp: LedgerCheckpoint) => {
        const { key } = JSON.parse(Buffer.from(event.payload).toString()) as { key?: string };
        if (key === `${prefix}-4` && !failedOnce) {
          failedOnce = true;
          throw new Error('projector crashed before commit');
        }
        await projection.apply(event, cp);
      };
      ledger = ledgerFor('dispenser');
      listener = new ChaincodeEventListener(ledger, projection, flaky, { startBlock: 0n, retryDelayMs: 100, chaincode: 'pedigree-probe' });
      listener.start();
      await until(() => projection.read().keys.length >= 6, 30_000);
      await listener.stop();
      ledger.close();

      expect(failedOnce).toBe(true);
      expect(projection.read().keys).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${prefix}-${i}`));
      // Read from each block: the committed transaction's own ID and the MSP of the identity that signed it.
      expect(projection.read().transactions).toEqual(txIds.map((txId) => ({ txId, creator: 'ManufacturerMSP' })));
    } finally {
      writer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Fabric's TxValidationCode.DUPLICATE_TXID. */
const DUPLICATE_TXID = 9;

it('hands over the event of a transaction once, though the same signed transaction was committed again (DUPLICATE_TXID)', async () => {
  // The gateway directly: the port never sends one signed transaction twice on purpose.
  const cfg = ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath('ManufacturerMSP', ROOT)));
  const client = new grpc.Client(cfg.peerEndpoint, grpc.credentials.createSsl(cfg.tlsRootCert, cfg.tlsClientKey ?? null, cfg.tlsClientCertificate ?? null), cfg.tlsServerName ? { 'grpc.ssl_target_name_override': cfg.tlsServerName } : {});
  const gateway = connect({
    client, identity: { mspId: cfg.mspId, credentials: cfg.certificate }, signer: signers.newPrivateKeySigner(createPrivateKey(cfg.privateKey)), hash: hash.sha256,
  });
  const writer = ledgerFor('manufacturer');
  const reader = ledgerFor('distributor');
  const prefix = uniqueKey('dup');
  const delivered: CommittedEvent[] = [];
  const invalid: CommittedEvent[] = [];
  let checkpoint: LedgerCheckpoint | undefined;
  let listener: ChaincodeEventListener | undefined;
  try {
    const endorsed = await gateway.getNetwork(cfg.channel).getContract('pedigree-probe', 'probe').newProposal('Put', { arguments: [prefix, 'once'] }).endorse();
    const txId = endorsed.getTransactionId();
    const first = await endorsed.submit();
    const status = await first.getStatus();
    expect(status.successful).toBe(true);
    // The same envelope again: ordered, committed in a later block, marked invalid by every peer.
    await endorsed.submit();
    const sentinel = await writer.submit('Put', [`${prefix}-sentinel`, 'after'], { chaincode: 'pedigree-probe', contract: 'probe' });

    listener = new ChaincodeEventListener(reader, { load: async () => checkpoint }, async (e, cp) => {
      delivered.push(e);
      checkpoint = cp;
    }, { startBlock: status.blockNumber, retryDelayMs: 100, chaincode: 'pedigree-probe', onInvalid: (e) => invalid.push(e) });
    listener.start();
    await until(() => delivered.some((e) => e.transactionId === sentinel.transactionId), 30_000);

    expect(delivered.filter((e) => e.transactionId === txId)).toHaveLength(1);
    expect(delivered.find((e) => e.transactionId === txId)).toMatchObject({ blockNumber: status.blockNumber, creatorMspId: 'ManufacturerMSP', validationCode: 0 });
    expect(invalid.filter((e) => e.transactionId === txId).map((e) => e.validationCode)).toEqual([DUPLICATE_TXID]);
    expect(invalid.find((e) => e.transactionId === txId)!.blockNumber).toBeGreaterThan(status.blockNumber);
  } finally {
    await listener?.stop();
    gateway.close();
    client.close();
    writer.close();
    reader.close();
  }
});

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
