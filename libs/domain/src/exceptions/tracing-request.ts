import { DomainError } from '../errors';
import { parseTimestamp, type IsoTimestamp } from '../time';
import type { PartnerRole } from '../lifecycle/ledger-records';
import type { OrgId } from '../lifecycle/records';
import { businessCalendar } from './business-clock';
import { tracingResponseDue } from './tracing-deadline';

/**
 * A tracing request (DSCSA §582: FDA, another federal or state official, or a trading partner
 * investigating suspect or illegitimate product asks for a product's history). What the ledger
 * already shares answers at once (the owners on the pack's trail, its last owner); Transaction
 * Information is private to the two partners of each sale, so each respondent releases its own TI
 * to the requester (and nobody else), within the DSCSA deadline: 1 business day (never more than
 * 48 h) for manufacturers, repackagers and wholesalers, 2 for dispensers.
 */
export const TRACING_KINDS = ['transaction_information', 'all_owners', 'last_owner'] as const;
export type TracingKind = (typeof TRACING_KINDS)[number];
export const TRACING_REASONS = ['suspect', 'illegitimate', 'recall', 'audit', 'inspection'] as const;
export type TracingReason = (typeof TRACING_REASONS)[number];

export interface TracingRespondent {
  readonly org: OrgId;
  readonly role: PartnerRole;
  readonly dueAt: IsoTimestamp;
}

export interface TracingRelease {
  readonly by: OrgId;
  readonly at: IsoTimestamp;
  /** The shipments whose TI was released, each with the public salted hash it matched. */
  readonly shipments: ReadonlyArray<{ readonly shipmentId: string; readonly tiSha256: string }>;
}

export interface TracingRequestRecord {
  readonly docType: 'tracingRequest';
  readonly id: string;
  readonly requester: OrgId;
  readonly kind: TracingKind;
  readonly epc: string;
  readonly reason: TracingReason;
  readonly incidentNumber?: string;
  /** A drill: answered as a real request, marked so no one acts on it. */
  readonly test: boolean;
  /** What the shared ledger answers at once: the owners on the trail (all, or the last). */
  readonly owners: readonly OrgId[];
  /** Who must release its own TI (transaction_information), with its deadline. */
  readonly respondents: readonly TracingRespondent[];
  readonly releases: readonly TracingRelease[];
  readonly requestedAt: IsoTimestamp;
  readonly updatedAt: IsoTimestamp;
  readonly version: number;
}

export interface TracingRequestInput {
  readonly id: string;
  readonly kind: TracingKind;
  readonly epc: string;
  readonly reason: TracingReason;
  readonly incidentNumber?: string;
  readonly test?: boolean;
  /** The pack's owners on the ledger, first the manufacturer, and each owner's admitted roles. */
  readonly trail: readonly OrgId[];
  readonly rolesOf: (org: OrgId) => readonly PartnerRole[];
  /** Each respondent's business-day time zone (default America/New_York). */
  readonly timeZoneOf?: (org: OrgId) => string | undefined;
}

export function requestTracing(input: TracingRequestInput, actor: OrgId, at: IsoTimestamp): TracingRequestRecord {
  parseTimestamp(at, 'at');
  if (!(TRACING_KINDS as readonly string[]).includes(input.kind)) throw invalid(`kind: one of ${TRACING_KINDS.join(', ')}`, 'kind');
  if (!(TRACING_REASONS as readonly string[]).includes(input.reason)) throw invalid(`reason: one of ${TRACING_REASONS.join(', ')}`, 'reason');
  if (input.incidentNumber !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(input.incidentNumber)) throw invalid('incidentNumber: 1-64 letters, digits or dashes', 'incidentNumber');
  if (!input.trail.length) throw invalid(`${input.epc} has no owner on the ledger`, 'epc');
  const owners = input.kind === 'last_owner' ? [input.trail[input.trail.length - 1] as OrgId] : [...new Set(input.trail)];
  const respondents = input.kind !== 'transaction_information' ? [] : [...new Set(input.trail)].filter((o) => o !== actor).sort().map((org) => {
    // The tighter deadline applies to an organisation admitted for several roles (a dispenser that also wholesales).
    const roles = input.rolesOf(org);
    const role: PartnerRole = roles.find((r) => r !== 'dispenser') ?? (roles.length ? 'dispenser' : 'wholesaler');
    return { org, role, dueAt: tracingResponseDue(at, role, businessCalendar(input.timeZoneOf?.(org))) };
  });
  return {
    docType: 'tracingRequest', id: input.id, requester: actor, kind: input.kind, epc: input.epc, reason: input.reason,
    ...(input.incidentNumber ? { incidentNumber: input.incidentNumber } : {}), test: input.test === true, owners, respondents, releases: [],
    requestedAt: at, updatedAt: at, version: 1,
  };
}

/** A respondent releases its own TI to the requester, once; a late release is recorded as late, not refused. */
export function releaseTracing(record: TracingRequestRecord, shipments: TracingRelease['shipments'], actor: OrgId, at: IsoTimestamp): TracingRequestRecord {
  parseTimestamp(at, 'at');
  if (!record.respondents.some((r) => r.org === actor)) {
    throw new DomainError('TRACING_PARTY', `${actor} is not asked to answer tracing request ${record.id}`, { id: record.id, actor });
  }
  if (record.releases.some((r) => r.by === actor)) throw new DomainError('TRACING_TRANSITION', `${actor} already answered tracing request ${record.id}`, { id: record.id, reason: 'answered' });
  return { ...record, releases: [...record.releases, { by: actor, at, shipments: [...shipments].sort((a, b) => a.shipmentId.localeCompare(b.shipmentId)) }], updatedAt: at, version: record.version + 1 };
}

/** Each respondent's standing at `now`: answered (and whether in time), or still due / overdue. */
export function tracingStatus(record: TracingRequestRecord, now: IsoTimestamp): Array<TracingRespondent & { answeredAt: IsoTimestamp | null; overdue: boolean }> {
  const nowMs = parseTimestamp(now, 'now').epochMs;
  return record.respondents.map((r) => {
    const answered = record.releases.find((x) => x.by === r.org);
    const due = Date.parse(r.dueAt);
    return { ...r, answeredAt: answered?.at ?? null, overdue: answered ? Date.parse(answered.at) > due : nowMs > due };
  });
}

function invalid(message: string, reason: string): DomainError {
  return new DomainError('TRACING_INVALID', message, { reason });
}
