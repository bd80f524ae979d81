import { Field, Float, InputType, ObjectType } from '@nestjs/graphql';

/** GraphQL shapes of the cold chain (issue 18, docs/cold-chain.md); fields are the domain's StorageConditions. */

@ObjectType('HumidityRange')
export class HumidityRange {
  @Field(() => Float) minPercent!: number;
  @Field(() => Float) maxPercent!: number;
}

@ObjectType('ExcursionBudget')
export class ExcursionBudget {
  @Field(() => Float, { description: 'Cumulative minutes out of the labelled range allowed over the pack\'s life' }) maxMinutesOutOfRange!: number;
  @Field(() => Float, { nullable: true, description: 'Mean kinetic temperature limit (°C)' }) mktLimitCelsius!: number | null;
  @Field(() => Float, { description: 'Activation energy ΔH for the MKT (kJ/mol); 83.144 unless the manufacturer gives its own' }) activationEnergyKjPerMol!: number;
}

@ObjectType('StorageConditions', { description: 'The labelled storage range (inclusive) and the excursion budget, registered by the manufacturer' })
export class StorageConditionsView {
  @Field(() => Float) minCelsius!: number;
  @Field(() => Float) maxCelsius!: number;
  @Field({ description: 'As screens print it, e.g. "2–8 °C"' }) label!: string;
  @Field(() => HumidityRange, { nullable: true }) humidity!: HumidityRange | null;
  @Field(() => ExcursionBudget) budget!: ExcursionBudget;
}

@InputType()
export class HumidityRangeInput {
  @Field(() => Float) minPercent!: number;
  @Field(() => Float) maxPercent!: number;
}

@InputType()
export class ExcursionBudgetInput {
  @Field(() => Float) maxMinutesOutOfRange!: number;
  @Field(() => Float, { nullable: true }) mktLimitCelsius?: number;
  @Field(() => Float, { nullable: true, description: 'Default 83.144 kJ/mol' }) activationEnergyKjPerMol?: number;
}

@InputType({ description: 'The ledger checks these (STORAGE_CONDITIONS_INVALID as COMMAND_INVALID naming the field)' })
export class StorageConditionsInput {
  @Field(() => Float) minCelsius!: number;
  @Field(() => Float) maxCelsius!: number;
  @Field(() => HumidityRangeInput, { nullable: true }) humidity?: HumidityRangeInput;
  @Field(() => ExcursionBudgetInput) budget!: ExcursionBudgetInput;
}
