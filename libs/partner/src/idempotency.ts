import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { canonicalJson } from '@pedigree/domain';
// The Nest-free module, so that unit specs can load this without NestJS.
import { ServiceError } from '@pedigree/platform/client-failure';

/**
 * Where the event-ID secret lives: a row of idempotency_keys under a key no client key can take
 * (client keys are stored as `<MSP ID>:<key>`, and MSP IDs never start with '#'). Kept beside the
 * keys it protects so that it lasts exactly as long as they do; no schema change needed.
 */
const SECRET_KEY = '#event-id-secret';

/**
 * Client idempotency keys. The first request with a key claims it (row without answer), does the
 * work and stores the answer; a repeat returns that answer without writing again. The ledger event
 * ID is derived from the key too, so even a crash between commit and storing the answer cannot
 * produce a second write: the retried submit is a chaincode duplicate of the first. The derivation
 * is an HMAC under a secret of this service, so another organisation that learns or guesses a
 * client's idempotency key cannot compute the event ID and take it first.
 */
export class IdempotencyStore {
  private secret?: Promise<Buffer>;

  constructor(private readonly dataSource: DataSource, private readonly org: string) {}

  async run<T extends object>(key: string | undefined | null, operation: string, request: unknown, work: (eventId: string) => Promise<T>): Promise<T> {
    if (!key) return work(`${operation}:${randomBytes(16).toString('hex')}`);
    if (key.length > 200) throw new ServiceError('BAD_INPUT', 'IDEMPOTENCY_KEY_INVALID', 'idempotency keys are at most 200 characters');
    const scoped = `${this.org}:${key}`;
    const requestHash = createHash('sha256').update(canonicalJson({ operation, request })).digest('hex');
    const eventId = `${operation}:${createHmac('sha256', await this.eventIdSecret()).update(scoped).digest('hex').slice(0, 32)}`;
    const claimed = await this.dataSource.query(
      `INSERT INTO idempotency_keys (key, operation, "requestHash", response, "createdAt") VALUES ($1, $2, $3, NULL, now()) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [scoped, operation, requestHash]);
    if (!claimed.length) {
      const [row] = await this.dataSource.query(`SELECT operation, "requestHash", response FROM idempotency_keys WHERE key = $1`, [scoped]);
      if (row.requestHash !== requestHash) throw new ServiceError('CONFLICT', 'IDEMPOTENCY_KEY_REUSED', `idempotency key ${key} was used for a different request`);
      if (row.response) return row.response as T;
      // Claimed but unanswered: another request is running it, or one crashed before storing the answer.
      // Re-running is safe: the same event ID makes the ledger answer with the first transaction.
    }
    const answer = await work(eventId);
    await this.dataSource.query(`UPDATE idempotency_keys SET response = $2 WHERE key = $1`, [scoped, answer]);
    return answer;
  }

  /** Created once per read model (the first of racing services wins), then read back. */
  private eventIdSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      await this.dataSource.query(
        `INSERT INTO idempotency_keys (key, operation, "requestHash", response, "createdAt") VALUES ($1, 'secret', $2, '{}', now()) ON CONFLICT (key) DO NOTHING`,
        [SECRET_KEY, randomBytes(32).toString('hex')]);
      const [row] = await this.dataSource.query(`SELECT "requestHash" AS secret FROM idempotency_keys WHERE key = $1`, [SECRET_KEY]);
      return Buffer.from(String(row.secret), 'hex');
    })().catch((err) => {
      this.secret = undefined; // the database was down: try again on the next request
      throw err;
    });
    return this.secret;
  }
}
