import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { Roles, type Principal } from '@pedigree/platform';
import { toEpcs } from './epc-input';
import { MutationResult, PackVerification } from './graphql-types';
import { PartnerContext } from './partner-context';
import { DISPENSERS, VERIFIERS } from './roles';
import { PackVerifier } from './verification';

/** The pharmacy counter: verify a scan, dispense. */
@Resolver()
export class DispenserResolver {
  private readonly verifier: PackVerifier;
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {
    this.verifier = new PackVerifier(p);
  }

  @Roles(...VERIFIERS)
  @Mutation(() => PackVerification, { description: 'Verify a scanned pack (any scan form) before dispensing; every verification is recorded' })
  verifyPack(@Args('scan') scan: string, @Args('site', { type: () => String, nullable: true, description: 'SGLN of the scanning site' }) site: string | undefined, @Context() ctx: { principal?: Principal }) {
    return this.verifier.verifyScan(scan, ctx.principal?.subject ?? 'unknown', site ?? null);
  }

  @Roles(...DISPENSERS)
  @Mutation(() => MutationResult, { description: 'Dispense packs to a patient' })
  dispensePacks(@Args('epcs', { type: () => [String] }) epcs: string[], @Args('site', { nullable: true }) site?: string, @Args('idempotencyKey', { nullable: true }) idempotencyKey?: string) {
    return this.p.write('dispense', 'Dispense', { epcs: toEpcs(epcs), ...(site ? { site } : {}) }, idempotencyKey);
  }
}
