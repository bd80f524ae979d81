import { captureStepOf } from './capture-steps';

describe('captureStepOf', () => {
  it.each([
    ['ObjectEvent', 'ADD', 'commissioning', 'Commission'],
    ['AggregationEvent', 'ADD', 'packing', 'Pack'],
    ['AggregationEvent', 'DELETE', 'unpacking', 'Unpack'],
    ['ObjectEvent', 'OBSERVE', 'receiving', 'Receive'],
    ['ObjectEvent', 'OBSERVE', 'dispensing', 'Dispense'],
    ['ObjectEvent', 'DELETE', 'decommissioning', 'Decommission'],
    ['ObjectEvent', 'DELETE', 'destroying', 'Destroy'],
  ])('%s %s %s is recorded by %s', (type, action, bizStep, transaction) => {
    expect(captureStepOf(type, action, bizStep)?.transaction).toBe(transaction);
  });

  it.each([
    ['shipping (its TI travels privately)', 'ObjectEvent', 'OBSERVE', 'shipping'],
    ['commissioning with the wrong action', 'ObjectEvent', 'OBSERVE', 'commissioning'],
    ['no bizStep', 'ObjectEvent', 'ADD', undefined],
    ['a TransactionEvent', 'TransactionEvent', 'ADD', 'shipping'],
  ])('does not capture %s', (_name, type, action, bizStep) => {
    expect(captureStepOf(type, action, bizStep)).toBeUndefined();
  });
});
