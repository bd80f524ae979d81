import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '@pedigree/domain';
import { ChaincodeError, toChaincodeError } from './errors';
import { assertTimely, txTime } from './world-state';

/** What a planner's service anchors: the digest of a published forecast and the model that made it. */
export interface AnchorForecastCommand {
  readonly eventId: string;
  /** SHA-256 (hex) of the forecast's canonical JSON. */
  readonly digest: string;
  readonly modelVersion: string;
  readonly gtin: string;
  readonly location: string;
  readonly publishedAt: string;
}

/** The command as anchored, with who anchored it and when. */
export interface ForecastAnchorRecord extends AnchorForecastCommand {
  readonly docType: 'forecastAnchor';
  /** The organisation whose identity anchored it, from its certificate. */
  readonly anchoredBy: string;
  readonly txId: string;
  readonly anchoredAt: string;
}

export interface AnchorForecastResult {
  readonly duplicate: boolean;
  readonly anchor: ForecastAnchorRecord;
}

/** Own key namespaces, apart from the traceability keys, so this contract cannot touch pack state. */
const ANCHOR_KEY = 'forecastAnchor';
const ANCHOR_EVENT_KEY = 'forecastAnchorEvent';
export const FORECAST_ANCHORED_EVENT = 'ForecastAnchored';

const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Audit anchors for demand forecasts: which forecast (by digest) and which model version a planner
 * published, so that an order can later be tied to the forecast that drove it. Only digests and
 * identifiers go on the ledger; the forecast itself stays in the planner's database.
 */
@Info({ title: 'Forecast', description: 'Anchors of published demand forecasts' })
export class ForecastContract extends Contract {
  constructor() {
    super('forecast');
  }

  /**
   * Idempotent by eventId: a repeat with the same content answers the first anchor; the same eventId
   * or digest with different content is refused. One event per write, payload in sorted-key JSON.
   */
  @Transaction()
  @Returns('string')
  async AnchorForecast(ctx: Context, commandJson: string): Promise<string> {
    try {
      const c = parseAnchorCommand(commandJson);
      assertTimely(ctx);
      const anchoredBy = ctx.clientIdentity.getMSPID();
      if ((await ctx.stub.getState(ctx.stub.createCompositeKey('partner', [anchoredBy]))).length === 0) {
        throw new ChaincodeError('PARTNER_UNKNOWN', `${anchoredBy} is not an admitted member of the consortium`);
      }
      // Anchors are the publisher's own: keyed by (digest or event ID, publisher), so another
      // organisation anchoring the same digest first can neither squat nor answer for ours.
      const byEvent = await readJson<ForecastAnchorRecord>(ctx, ANCHOR_EVENT_KEY, c.eventId, anchoredBy);
      if (byEvent) {
        if (!sameAnchor(byEvent, c)) throw new ChaincodeError('DUPLICATE_EVENT', `event ID ${c.eventId} already anchored a different forecast (transaction ${byEvent.txId})`);
        return canonicalJson({ duplicate: true, anchor: byEvent } satisfies AnchorForecastResult);
      }
      const byDigest = await readJson<ForecastAnchorRecord>(ctx, ANCHOR_KEY, c.digest, anchoredBy);
      if (byDigest) {
        // The same forecast published again under a new event ID: the first anchor stands.
        if (!sameAnchor({ ...byDigest, eventId: c.eventId }, c)) {
          throw new ChaincodeError('DUPLICATE_EVENT', `digest ${c.digest} is already anchored with different metadata (transaction ${byDigest.txId})`);
        }
        return canonicalJson({ duplicate: true, anchor: byDigest } satisfies AnchorForecastResult);
      }
      const anchor: ForecastAnchorRecord = {
        docType: 'forecastAnchor',
        eventId: c.eventId,
        digest: c.digest,
        modelVersion: c.modelVersion,
        gtin: c.gtin,
        location: c.location,
        publishedAt: c.publishedAt,
        anchoredBy,
        txId: ctx.stub.getTxID(),
        anchoredAt: txTime(ctx),
      };
      const bytes = Buffer.from(canonicalJson(anchor));
      await ctx.stub.putState(ctx.stub.createCompositeKey(ANCHOR_KEY, [c.digest, anchoredBy]), bytes);
      await ctx.stub.putState(ctx.stub.createCompositeKey(ANCHOR_EVENT_KEY, [c.eventId, anchoredBy]), bytes);
      ctx.stub.setEvent(FORECAST_ANCHORED_EVENT, Buffer.from(canonicalJson({ schema: 'pedigree.forecast', version: 1, ...anchor })));
      return canonicalJson({ duplicate: false, anchor } satisfies AnchorForecastResult);
    } catch (err) {
      throw toChaincodeError(err);
    }
  }

  @Transaction(false)
  @Returns('string')
  async GetForecastAnchor(ctx: Context, digest: string): Promise<string> {
    return this.GetForecastAnchorOf(ctx, digest, ctx.clientIdentity.getMSPID());
  }

  /** A publisher's anchor of a digest: anchors are the publisher's own. */
  @Transaction(false)
  @Returns('string')
  async GetForecastAnchorOf(ctx: Context, digest: string, publisher: string): Promise<string> {
    try {
      const anchor = await readJson<ForecastAnchorRecord>(ctx, ANCHOR_KEY, String(digest ?? '').toLowerCase(), publisher);
      if (!anchor) throw new ChaincodeError('NOT_FOUND', `no forecast anchored with digest ${digest} by ${publisher}`);
      return canonicalJson(anchor);
    } catch (err) {
      throw toChaincodeError(err);
    }
  }
}

function parseAnchorCommand(json: string): AnchorForecastCommand {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new Error('COMMAND_INVALID: AnchorForecast: argument is not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('COMMAND_INVALID: AnchorForecast: argument must be a JSON object');
  for (const field of ['eventId', 'digest', 'modelVersion', 'gtin', 'location', 'publishedAt']) {
    const value = v[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new Error(`COMMAND_INVALID: AnchorForecast: ${field} is required (text, at most 256 characters)`);
  }
  const digest = (v.digest as string).toLowerCase();
  if (!DIGEST.test(digest)) throw new Error('COMMAND_INVALID: AnchorForecast: digest must be a SHA-256 in hex');
  if (Number.isNaN(Date.parse(v.publishedAt as string))) throw new Error('COMMAND_INVALID: AnchorForecast: publishedAt must be an ISO timestamp');
  return {
    eventId: v.eventId as string, digest, modelVersion: v.modelVersion as string, gtin: v.gtin as string, location: v.location as string, publishedAt: v.publishedAt as string,
  };
}

function sameAnchor(a: ForecastAnchorRecord, c: AnchorForecastCommand): boolean {
  return a.eventId === c.eventId && a.digest === c.digest && a.modelVersion === c.modelVersion && a.gtin === c.gtin && a.location === c.location;
}

async function readJson<T>(ctx: Context, type: string, ...parts: string[]): Promise<T | undefined> {
  const bytes = await ctx.stub.getState(ctx.stub.createCompositeKey(type, parts));
  return bytes && bytes.length > 0 ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as T) : undefined;
}
