import { Inject, Logger } from '@nestjs/common';
import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { normaliseGtin } from '@pedigree/domain';
import { Roles, vrsRequestsTotal, type Principal } from '@pedigree/platform';
import { ManufacturerVerification, VrsRequestLogEntry } from './graphql-types';
import { PartnerContext } from './partner-context';
import { READERS, VERIFIERS } from './roles';
import { VrsRequester, vrsRequesterDependenciesFromEnv } from './vrs/vrs-requester';

/** The VRS requester: a wholesaler verifying a returned pack with its manufacturer, on the ledger or not. */
@Resolver()
export class VrsRequesterResolver {
  private readonly requester: VrsRequester;
  constructor(@Inject(PartnerContext) p: PartnerContext) {
    const logger = new Logger('vrs');
    this.requester = new VrsRequester(p, { ...vrsRequesterDependenciesFromEnv(process.env, { warn: (m) => logger.warn(m) }), observe: (outcome, code) => vrsRequestsTotal.inc({ outcome, code }) });
  }

  @Roles(...VERIFIERS)
  @Mutation(() => ManufacturerVerification, {
    description: "Ask the pack's manufacturer (its VRS responder, found in the lookup directory by GTIN prefix) whether the product identifier is genuine; "
      + 'recorded in vrsRequests, answered or not. A responder unreachable, timing out or answering malformed is an UPSTREAM_FAILED error, never "not verified".',
  })
  verifyWithManufacturer(
    @Args('scan', { description: 'A GS1 scan (element string, bracketed, Digital Link) or an SGTIN EPC URN' }) scan: string,
    @Args('lot', { type: () => String, nullable: true, description: 'When the scan has none: else the lot this organisation recorded for the pack' }) lot: string | undefined,
    @Args('expiry', { type: () => String, nullable: true, description: 'ISO date, when the scan has none' }) expiry: string | undefined,
    @Args('context', { type: () => String, nullable: true, defaultValue: 'dscsaSaleableReturn' }) context: string | undefined,
    @Args('reqGLN', { type: () => String, nullable: true, description: "One of this organisation's registered GLNs (default: the first)" }) reqGLN: string | undefined,
    @Context() ctx: { principal?: Principal },
  ) {
    return this.requester.verify({ scan, lot: lot ?? undefined, expiry: expiry ?? undefined, context: context ?? undefined, reqGLN: reqGLN ?? undefined }, ctx.principal?.subject ?? 'unknown');
  }

  @Roles(...READERS)
  @Query(() => [VrsRequestLogEntry], { description: "This organisation's VRS requests to manufacturers, newest first" })
  vrsRequests(
    @Args('gtin', { type: () => String, nullable: true }) gtin: string | undefined,
    @Args('serial', { type: () => String, nullable: true }) serial: string | undefined,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
  ) {
    return this.requester.history({ gtin: gtin ? normaliseGtin(gtin) : undefined, serial: serial ?? undefined, limit: first });
  }
}
