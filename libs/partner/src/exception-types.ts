import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { EXCEPTION_STATES, RECEIVING_RULES } from '@pedigree/domain';
import { PageInfo } from './graphql-types';
import GraphQLJSON from './json-scalar';

/** GraphQL shapes of receiving exceptions (issue 14); enum values are the domain's rule and state codes. */
export const ReceivingRuleEnum = Object.fromEntries(RECEIVING_RULES.map((r) => [r, r])) as Record<string, string>;
registerEnumType(ReceivingRuleEnum, { name: 'ReceivingRule', description: 'The receiving check that raised an exception (docs/exceptions.md)' });
export const ExceptionStateEnum = Object.fromEntries(EXCEPTION_STATES.map((s) => [s, s])) as Record<string, string>;
registerEnumType(ExceptionStateEnum, { name: 'ExceptionState', description: 'open → waiting_on_partner → resolved_by_correction | _return | _destruction → closed' });
export enum ClockExpiryEnum { escalate = 'escalate', alert = 'alert' }
registerEnumType(ClockExpiryEnum, { name: 'ClockExpiry', description: 'What an exception\'s clock does when it runs out' });
export enum ExceptionResolutionInput { correction = 'correction', return = 'return', destruction = 'destruction' }
registerEnumType(ExceptionResolutionInput, { name: 'ExceptionResolution' });

@ObjectType()
export class ReceivingException {
  @Field(() => ID, { description: 'Unique per receiver' }) id!: string;
  @Field({ description: 'MSP ID of the organisation that raised it (the receiver)' }) receiver!: string;
  @Field({ description: 'MSP ID of the seller whose shipment it concerns, or gln:<GLN> for a seller that is not a member' }) seller!: string;
  @Field() shipmentId!: string;
  @Field(() => ReceivingRuleEnum) rule!: string;
  @Field(() => ExceptionStateEnum) state!: string;
  @Field({ description: 'Open or waiting on the partner: its packs are held' }) isOpen!: boolean;
  @Field(() => [String], { description: 'The EPCs it is about' }) subjects!: string[];
  @Field(() => [String], { description: 'Packs quarantined for it while it is open' }) held!: string[];
  @Field() summary!: string;
  @Field(() => GraphQLJSON, { description: 'What the check found (missing, unexpected, quantities, identifiers ...)' }) evidence!: unknown;
  @Field(() => String, { nullable: true, description: 'SHA-256 of private evidence kept off the ledger' }) evidenceSha256!: string | null;
  @Field() openedAt!: string;
  @Field() updatedAt!: string;
  @Field(() => String, { nullable: true }) closedAt!: string | null;
  @Field(() => Int, { description: 'Seconds since it was opened (until it closed)' }) ageSeconds!: number;
  @Field(() => Int, { description: 'Business days since it was opened (until it closed): weekends and US federal holidays do not count, in its clock\'s time zone' }) ageBusinessDays!: number;
  @Field(() => Int, { description: 'Business days it had before it is overdue (its rule\'s grace, or the receiver\'s own)' }) graceBusinessDays!: number;
  @Field({ description: 'When its grace ends: the end of its last business day in the time zone' }) dueAt!: string;
  @Field({ description: 'The IANA time zone its business days are counted in (the receiver\'s site)' }) timeZone!: string;
  @Field({ description: 'Open past its due instant' }) overdue!: boolean;
  @Field(() => ClockExpiryEnum, { description: 'What its clock does when it runs out: escalate (product without data) or alert' }) onExpiry!: string;
  @Field(() => String, { nullable: true, description: 'When the receiver escalated it (product without data past its grace: now suspect product)' }) escalatedAt!: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Escalated before its due instant (the receiver\'s call)' }) escalatedEarly!: boolean | null;
  @Field(() => String, { nullable: true, description: 'correction, return or destruction' }) resolution!: string | null;
  @Field(() => GraphQLJSON, { description: "The seller's answers, each with its corrected data and re-check" }) answers!: unknown;
  @Field(() => GraphQLJSON, { description: 'Every step: who moved it from which state to which, when' }) history!: unknown;
  @Field(() => Int) version!: number;
}

@ObjectType('ReceivingExceptionEdge')
export class ReceivingExceptionEdge {
  @Field() cursor!: string;
  @Field(() => ReceivingException) node!: ReceivingException;
}

@ObjectType('ReceivingExceptionConnection')
export class ReceivingExceptionConnection {
  @Field(() => [ReceivingExceptionEdge]) edges!: ReceivingExceptionEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType()
export class ExceptionFilter {
  @Field(() => [ReceivingRuleEnum], { nullable: true }) rules?: string[];
  @Field(() => [ExceptionStateEnum], { nullable: true, description: 'Default: every state' }) states?: string[];
  @Field(() => String, { nullable: true, description: 'The other party (MSP ID)' }) partner?: string;
  @Field(() => String, { nullable: true }) shipmentId?: string;
  @Field(() => Int, { nullable: true, description: 'Only exceptions at least this many seconds old' }) olderThanSeconds?: number;
  @Field(() => Boolean, { nullable: true, description: 'Only overdue ones (true: open past their due instant) or only the others (false)' }) overdue?: boolean;
  @Field(() => Boolean, { nullable: true, description: 'Only escalated ones (true) or only the others (false)' }) escalated?: boolean;
}

@ObjectType()
export class ExceptionClockCheck {
  @Field({ description: 'The instant the clocks were read at' }) asOf!: string;
  @Field(() => [ReceivingException], { description: 'Open exceptions this organisation is a party to whose clock ran out' }) overdue!: ReceivingException[];
  @Field(() => [String], { description: 'Exceptions this organisation escalated in this check' }) escalated!: string[];
  @Field(() => [String], { description: 'Overdue exceptions alerted for the first time' }) alerted!: string[];
}
