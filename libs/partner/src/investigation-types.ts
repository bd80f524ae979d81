import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ILLEGITIMATE_CLASSIFICATIONS, INVESTIGATION_STATES } from '@pedigree/domain';
import GraphQLJSON from './json-scalar';

/** GraphQL shapes of suspect-product investigations (issue 14); enum values are the domain's codes. */
export const InvestigationStateEnum = Object.fromEntries(INVESTIGATION_STATES.map((s) => [s, s])) as Record<string, string>;
registerEnumType(InvestigationStateEnum, { name: 'InvestigationState', description: 'open → cleared | illegitimate → terminated' });
export const IllegitimateClassificationEnum = Object.fromEntries(ILLEGITIMATE_CLASSIFICATIONS.map((s) => [s, s])) as Record<string, string>;
registerEnumType(IllegitimateClassificationEnum, { name: 'IllegitimateClassification', description: "FDA Form 3911's classification of an illegitimate product" });
export enum VerificationOutcomeEnum { genuine = 'genuine', not_genuine = 'not_genuine', inconclusive = 'inconclusive' }
registerEnumType(VerificationOutcomeEnum, { name: 'VerificationOutcome' });
export enum InvestigationSideEnum { investigator = 'investigator', holder = 'holder', notified = 'notified' }
registerEnumType(InvestigationSideEnum, { name: 'InvestigationSide', description: 'How this organisation stands to an investigation' });

@InputType()
export class InvestigationScopeInput {
  @Field(() => String, { nullable: true, description: 'A lot: its GTIN (with lot)' }) gtin?: string | null;
  @Field(() => String, { nullable: true }) lot?: string | null;
  @Field(() => [String], { nullable: true, description: 'Or packs: EPC URNs, GS1 element strings or Digital Links' }) packs?: string[] | null;
}

@ObjectType()
export class InvestigationHolding {
  @Field() holder!: string;
  @Field(() => [String]) packs!: string[];
}

@ObjectType()
export class InvestigationNoticesDue {
  @Field({ description: 'FDA not yet told (Form 3911) past the 24 hours' }) fda!: boolean;
  @Field(() => [String], { description: 'Holders not yet told past the 24 hours' }) partners!: string[];
}

@ObjectType()
export class Investigation {
  @Field() id!: string;
  @Field({ description: 'MSP ID of the organisation that investigates (and files with FDA)' }) investigator!: string;
  @Field(() => InvestigationStateEnum) state!: string;
  @Field(() => GraphQLJSON, { description: "{ kind: 'lot', gtin, lot } or { kind: 'packs', packs }" }) scope!: unknown;
  @Field() summary!: string;
  @Field(() => [String], { description: 'Packs in scope (held while it is not cleared)' }) packs!: string[];
  @Field(() => [String]) holders!: string[];
  @Field(() => [InvestigationHolding], { description: 'What is held where (as the ledger showed it when opened)' }) holdings!: InvestigationHolding[];
  @Field(() => [String], { description: "Packs in scope this organisation held when it was opened" }) heldHere!: string[];
  @Field({ description: 'This organisation investigates it (the determinations are its own)' }) mine!: boolean;
  @Field(() => Int, { description: 'max(3, 10 %) of the packs, all when fewer than 3' }) requiredVerifications!: number;
  @Field(() => Int, { description: 'Packs verified conclusively so far' }) verificationsDone!: number;
  @Field(() => GraphQLJSON) verifications!: unknown;
  @Field(() => GraphQLJSON) findings!: unknown;
  @Field(() => String, { nullable: true }) outcome!: string | null;
  @Field(() => IllegitimateClassificationEnum, { nullable: true }) classification!: string | null;
  @Field(() => String, { nullable: true, description: 'Illegitimate: FDA and the immediate trading partners are due to be told by then (24 h)' }) notificationsDueAt!: string | null;
  @Field(() => InvestigationNoticesDue) noticesOverdue!: InvestigationNoticesDue;
  @Field(() => String, { nullable: true, description: "FDA's incident number, once filed" }) fdaIncidentNumber!: string | null;
  @Field(() => GraphQLJSON, { description: 'Immediate trading partners told, and when' }) notices!: unknown;
  @Field(() => String, { nullable: true, description: 'When termination was requested' }) terminatedAt!: string | null;
  @Field(() => GraphQLJSON) history!: unknown;
  @Field() openedAt!: string;
  @Field() updatedAt!: string;
  @Field(() => Int) version!: number;
}
