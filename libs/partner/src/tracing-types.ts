import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { TRACING_KINDS, TRACING_REASONS } from '@pedigree/domain';
import GraphQLJSON from './json-scalar';

/** GraphQL shapes of tracing requests (issue 14). */
export const TracingKindEnum = Object.fromEntries(TRACING_KINDS.map((s) => [s, s])) as Record<string, string>;
registerEnumType(TracingKindEnum, { name: 'TracingKind', description: 'What is asked: the Transaction Information, all known owners, or the last known owner' });
export const TracingReasonEnum = Object.fromEntries(TRACING_REASONS.map((s) => [s, s])) as Record<string, string>;
registerEnumType(TracingReasonEnum, { name: 'TracingReason' });
export enum TracingDirectionEnum { in = 'in', out = 'out' }
registerEnumType(TracingDirectionEnum, { name: 'TracingDirection', description: 'in: requests this organisation must answer; out: those it made' });

@ObjectType()
export class TracingRespondentStatus {
  @Field() org!: string;
  @Field({ description: 'The role its deadline is counted for' }) role!: string;
  @Field({ description: 'DSCSA deadline: 1 business day (at most 48 h) for manufacturers, repackagers and wholesalers; 2 for dispensers' }) dueAt!: string;
  @Field(() => Int) businessDays!: number;
  @Field(() => String, { nullable: true }) answeredAt!: string | null;
  @Field({ description: 'Answered late, or not answered and past its deadline' }) overdue!: boolean;
}

@ObjectType()
export class TracingRequest {
  @Field() id!: string;
  @Field() requester!: string;
  @Field(() => TracingKindEnum) kind!: string;
  @Field() epc!: string;
  @Field(() => TracingReasonEnum) reason!: string;
  @Field(() => String, { nullable: true }) incidentNumber!: string | null;
  @Field({ description: 'A drill' }) test!: boolean;
  @Field(() => [String], { description: 'What the shared ledger answered at once: the owners on the trail (all, or the last)' }) owners!: string[];
  @Field(() => [TracingRespondentStatus]) respondents!: TracingRespondentStatus[];
  @Field(() => GraphQLJSON, { description: 'Each release: who, when, the shipments and the public hashes their TI matched' }) releases!: unknown;
  @Field({ description: 'Every respondent has answered' }) complete!: boolean;
  @Field(() => TracingRespondentStatus, { nullable: true, description: "This organisation's own part: its deadline and answer (null: not asked)" }) myResponse!: TracingRespondentStatus | null;
  @Field() requestedAt!: string;
}

@ObjectType()
export class ReleasedTransactionInformation {
  @Field({ description: 'The respondent that released it' }) by!: string;
  @Field() shipmentId!: string;
  @Field(() => GraphQLJSON) ti!: unknown;
}

@ObjectType({ description: 'A tracing answer past its DSCSA deadline and not released' })
export class TracingAnswerOverdue {
  @Field(() => TracingRequest) request!: TracingRequest;
  @Field({ description: 'The respondent that has not answered' }) respondent!: string;
  @Field() dueAt!: string;
}

@ObjectType()
export class TracingClockCheck {
  @Field() asOf!: string;
  @Field(() => [TracingAnswerOverdue], { description: 'Answers overdue at asOf that concern this organisation' }) overdue!: TracingAnswerOverdue[];
  @Field(() => Int, { description: 'Of those, alerted for the first time in this check' }) alerted!: number;
}
