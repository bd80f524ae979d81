import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import {
  assertVrsExpiry, DomainError, isEpcUrn, parseEpcUrn, parseScan, readVrsDirectory, vrsResponderFor, VRS_CONTEXTS,
  type PartnerRecord, type VrsContext, type VrsDirectoryEntry, type VrsRequest,
} from '@pedigree/domain';
import { MASTER_DATA, VrsRequestRepository, type VrsRequestRecord } from '@pedigree/readmodel';
import type { PartnerContext } from '../partner-context';
import { atpPresenterFromEnv, type AtpCredentialPresenter } from './atp-credential';
import { HttpVrsClient, VrsRequestFailure, type VrsClient } from './vrs-client';

/** Where the lookup directory comes from: a port, so the GS1 US directory service can replace the file. */
export interface VrsResponderDirectory {
  responderFor(gtin: string): VrsDirectoryEntry | undefined;
}

/**
 * The lookup directory as a JSON file (`PEDIGREE_VRS_DIRECTORY`), standing in for the GS1 US Lookup
 * Directory: read when the service starts (a malformed file stops it, naming the entry), and again
 * when the file changes, so a new responder is routed without a restart. A file that becomes
 * unreadable or malformed later keeps the last good directory in use and is reported through `warn`.
 */
export class FileVrsDirectory implements VrsResponderDirectory {
  private entries: VrsDirectoryEntry[] = [];
  private mtimeMs = -1;
  private reported = -1;

  constructor(private readonly file: string | undefined, private readonly warn: (message: string) => void = () => undefined) {
    if (file) this.load(this.mtimeOf());
  }

  responderFor(gtin: string): VrsDirectoryEntry | undefined {
    if (this.file) this.refresh();
    return vrsResponderFor(this.entries, gtin);
  }

  private mtimeOf(): number {
    try {
      return statSync(this.file as string).mtimeMs;
    } catch {
      throw new DomainError('VRS_DIRECTORY_INVALID', `the lookup directory ${this.file} cannot be read`, { at: this.file, reason: 'unreadable' });
    }
  }

  private load(mtimeMs: number): void {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file as string, 'utf8'));
    } catch (err) {
      throw new DomainError('VRS_DIRECTORY_INVALID', `the lookup directory ${this.file} is not JSON: ${(err as Error).message}`, { at: this.file, reason: 'not JSON' });
    }
    this.entries = readVrsDirectory(doc);
    this.mtimeMs = mtimeMs;
  }

  private refresh(): void {
    let mtimeMs = this.mtimeMs;
    try {
      mtimeMs = this.mtimeOf();
      if (mtimeMs !== this.mtimeMs) this.load(mtimeMs);
    } catch (err) {
      if (this.reported !== mtimeMs) this.warn(`${(err as Error).message}; the last good lookup directory (${this.entries.length} responders) stays in use`);
      this.reported = mtimeMs;
    }
  }
}

/** What the requester answers its user: the responder's answer, with where and how it was asked. */
export interface ManufacturerVerificationAnswer
  extends Pick<VrsRequestRecord, 'corrUUID' | 'gtin' | 'serial' | 'lot' | 'expiry' | 'context' | 'reqGLN' | 'responder' | 'responderGLN' | 'additionalInfo' | 'requestedAt' | 'attempts' | 'atpPresented'> {
  readonly responderName: string | null;
  /** An answer always says yes or no (the logged row of a failed request has neither). */
  readonly verified: boolean;
  readonly verificationFailureReason: string | null;
  readonly verificationTimestamp: string;
  readonly answeredAt: string;
}

export interface VerifyWithManufacturerInput {
  /** A GS1 scan (element string, bracketed, Digital Link) or an SGTIN EPC URN. */
  readonly scan: string;
  readonly lot?: string;
  /** ISO date. */
  readonly expiry?: string;
  readonly context?: string;
  /** One of this organisation's registered GLNs; the first by default. */
  readonly reqGLN?: string;
}

export interface VrsRequesterDependencies {
  readonly directory: VrsResponderDirectory;
  readonly client: VrsClient;
  readonly presenter?: AtpCredentialPresenter;
  readonly env?: NodeJS.ProcessEnv;
  /** Told every request's outcome (metrics). */
  readonly observe?: (outcome: 'verified' | 'not_verified' | 'failed', code: string) => void;
}

export interface VrsRequesterEnvOptions {
  readonly warn?: (message: string) => void;
}

/** The requester's wiring from the environment (docs/vrs.md). */
export function vrsRequesterDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env, options: VrsRequesterEnvOptions = {}): VrsRequesterDependencies {
  const number = (v: string | undefined, fallback: number) => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : fallback);
  return {
    directory: new FileVrsDirectory(env.PEDIGREE_VRS_DIRECTORY, options.warn),
    client: new HttpVrsClient({ timeoutMs: number(env.PEDIGREE_VRS_TIMEOUT_MS, 5_000), retries: number(env.PEDIGREE_VRS_RETRIES, 1) }),
    presenter: atpPresenterFromEnv(env),
    env,
  };
}

/**
 * A distributor verifying a pack with its manufacturer's responder (a saleable return before it is
 * restocked), whether or not that manufacturer is on the ledger: the lookup directory says where,
 * the answer (or why there is none) is recorded in `vrs_requests` before it is returned. A failure
 * is never an answer: unreachable, timed out or malformed is a typed VrsRequestFailure, not
 * "not verified".
 */
export class VrsRequester {
  private readonly log: VrsRequestRepository;
  private ownGlns?: { glns: readonly string[]; until: number };

  constructor(private readonly p: PartnerContext, private readonly deps: VrsRequesterDependencies) {
    this.log = new VrsRequestRepository(p.database.dataSource);
  }

  async verify(input: VerifyWithManufacturerInput, requester: string): Promise<ManufacturerVerificationAnswer> {
    const identity = await this.identify(input);
    const context = input.context ?? 'dscsaSaleableReturn';
    if (!(VRS_CONTEXTS as readonly string[]).includes(context)) {
      throw new DomainError('VRS_REQUEST_INVALID', `context ${JSON.stringify(context)} is not one of ${VRS_CONTEXTS.join(', ')}`, { parameter: 'context' });
    }
    const reqGLN = await this.requesterGln(input.reqGLN);
    const request: VrsRequest = {
      gtin: identity.gtin, serial: identity.serial, lot: identity.lot, ...(identity.expiry ? { expiry: identity.expiry } : {}),
      reqGLN, corrUUID: randomUUID(), context: context as VrsContext, linkType: 'verificationService',
    };
    const requestedAt = new Date().toISOString();
    const base = {
      corrUUID: request.corrUUID as string, gtin: request.gtin, serial: request.serial, lot: request.lot, expiry: request.expiry ?? null, context: request.context ?? null,
      reqGLN, requester, requestedAt,
    };
    const responder = this.deps.directory.responderFor(request.gtin);
    if (!responder) {
      const err = new DomainError('VRS_RESPONDER_UNKNOWN', `no responder is listed for GTIN ${request.gtin} in the lookup directory`, { gtin: request.gtin });
      await this.log.record(failed(base, '', null, err.code, err.message, null, 0, false));
      this.deps.observe?.('failed', err.code);
      throw err;
    }
    const presentation = this.deps.presenter ? await this.deps.presenter.present(responder.responderGLN) : undefined;
    const apiKey = responder.apiKeyEnv ? (this.deps.env ?? process.env)[responder.apiKeyEnv] : undefined;
    try {
      const exchange = await this.deps.client.verify(responder, request, { headers: apiKey ? { 'x-api-key': apiKey } : {}, presentation });
      const r = exchange.response;
      if (responder.responderGLN && r.responderGLN && r.responderGLN !== responder.responderGLN) {
        throw new VrsRequestFailure('VRS_RESPONSE_MALFORMED', `answered as GLN ${r.responderGLN}, but the directory lists ${responder.responderGLN} for this prefix`, 200, exchange.attempts, false);
      }
      const answeredAt = new Date().toISOString();
      const answer: ManufacturerVerificationAnswer = {
        ...base, responder: responder.url, responderName: responder.name ?? null, responderGLN: r.responderGLN ?? responder.responderGLN ?? null,
        verified: r.data.verified, verificationFailureReason: r.data.verificationFailureReason ?? null, additionalInfo: r.data.additionalInfo ?? null,
        verificationTimestamp: r.verificationTimestamp, answeredAt, attempts: exchange.attempts, atpPresented: presentation !== undefined,
      };
      await this.log.record({
        ...base, responder: responder.url, responderGLN: answer.responderGLN, status: 'answered', verified: answer.verified, failureReason: answer.verificationFailureReason,
        additionalInfo: answer.additionalInfo ?? r.unknownAdditionalInfo ?? null, errorCode: null, errorMessage: null, httpStatus: exchange.httpStatus, attempts: exchange.attempts,
        atpPresented: answer.atpPresented, answeredAt, verificationTimestamp: answer.verificationTimestamp,
      });
      this.deps.observe?.(answer.verified ? 'verified' : 'not_verified', answer.verificationFailureReason ?? '');
      return answer;
    } catch (err) {
      if (err instanceof VrsRequestFailure) {
        await this.log.record(failed(base, responder.url, responder.responderGLN ?? null, err.code, err.message, err.responderStatus, err.attempts, presentation !== undefined));
        this.deps.observe?.('failed', err.code);
      }
      throw err;
    }
  }

  history(filter: { gtin?: string; serial?: string; limit?: number }): Promise<VrsRequestRecord[]> {
    return this.log.list(filter);
  }

  /** GTIN and serial from the scan; lot and expiry from the scan, else as given, else from our own record of the pack. */
  private async identify(input: VerifyWithManufacturerInput): Promise<{ gtin: string; serial: string; lot: string; expiry?: string }> {
    const text = input.scan.trim();
    let gtin: string;
    let serial: string;
    let lot: string | undefined;
    let expiry: string | undefined;
    if (isEpcUrn(text)) {
      const epc = parseEpcUrn(text);
      if (epc.scheme !== 'sgtin') throw new DomainError('IDENTIFIER_INVALID', `${text} is not a serialized pack (SGTIN)`, { reason: 'not sgtin' });
      ({ gtin, serial } = epc);
    } else {
      const scan = parseScan(text, { referenceDate: new Date().toISOString().slice(0, 10) });
      if (!scan.gtin || !scan.serial) throw new DomainError('SCAN_MALFORMED', 'the scan carries no serialized product identifier (01 and 21)', { reason: 'not serialized' });
      ({ gtin, serial } = { gtin: scan.gtin, serial: scan.serial });
      lot = scan.lot;
      expiry = scan.expiry;
    }
    lot = input.lot ?? lot;
    expiry = assertVrsExpiry(input.expiry) ?? expiry;
    if (lot === undefined || expiry === undefined) {
      const own = await this.p.readModel.packs.byIdentifier(gtin, serial);
      lot ??= own?.record.lot;
      expiry ??= own?.record.expiry;
    }
    if (lot === undefined) throw new DomainError('VRS_REQUEST_INVALID', 'the lot is required (scan it, give it, or verify a pack this organisation has a record of)', { parameter: 'lot' });
    return { gtin, serial, lot, ...(expiry ? { expiry } : {}) };
  }

  private async requesterGln(wanted: string | undefined): Promise<string> {
    if (!this.ownGlns || this.ownGlns.until < Date.now()) {
      const partner = await this.p.reads.optional<PartnerRecord>('GetPartner', [this.p.org], MASTER_DATA);
      const glns = partner ? (partner.glns?.length ? partner.glns : [partner.gln]) : [];
      this.ownGlns = { glns, until: Date.now() + 60_000 };
    }
    const configured = (this.deps.env ?? process.env).PEDIGREE_VRS_REQUESTER_GLN;
    const glns = this.ownGlns.glns.length ? this.ownGlns.glns : configured ? [configured] : [];
    if (!glns.length) throw new DomainError('PARTNER_UNKNOWN', `${this.p.org} has no registered GLN to ask under (reqGLN)`, { reason: 'no GLN' });
    if (wanted === undefined) return configured && glns.includes(configured) ? configured : glns[0];
    if (!glns.includes(wanted)) throw new DomainError('VRS_REQUEST_INVALID', `reqGLN ${wanted} is not one of ${this.p.org}'s registered GLNs`, { parameter: 'reqGLN' });
    return wanted;
  }
}

function failed(
  base: Pick<VrsRequestRecord, 'corrUUID' | 'gtin' | 'serial' | 'lot' | 'expiry' | 'context' | 'reqGLN' | 'requester' | 'requestedAt'>,
  responder: string, responderGLN: string | null, errorCode: string, errorMessage: string, httpStatus: number | null, attempts: number, atpPresented: boolean,
): VrsRequestRecord {
  return {
    ...base, responder, responderGLN, status: 'failed', verified: null, failureReason: null, additionalInfo: null, errorCode, errorMessage: errorMessage.slice(0, 1000),
    httpStatus, attempts, atpPresented, answeredAt: null, verificationTimestamp: null,
  };
}
