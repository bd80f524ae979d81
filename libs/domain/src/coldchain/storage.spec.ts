import fc from 'fast-check';
import { DomainError } from '../errors';
import { formatHumidityRange, formatStorageRange, parseStorageConditions } from './storage';

const FRIDGE = { minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 120, mktLimitCelsius: 8 } };

describe('parseStorageConditions', () => {
  it('reads a 2–8 °C product with its budget', () => {
    expect(parseStorageConditions(FRIDGE)).toEqual(FRIDGE);
    expect(formatStorageRange(FRIDGE)).toBe('2–8 °C');
  });

  it('keeps the optional humidity range and activation energy', () => {
    const v = { ...FRIDGE, humidity: { minPercent: 10, maxPercent: 60 }, budget: { maxMinutesOutOfRange: 0, activationEnergyKjPerMol: 100 } };
    expect(parseStorageConditions(v)).toEqual(v);
  });

  it('keeps a humidity budget', () => {
    const v = { ...FRIDGE, humidity: { minPercent: 10, maxPercent: 60, maxMinutesOutOfRange: 720 } };
    expect(parseStorageConditions(v)).toEqual(v);
    expect(formatHumidityRange(v.humidity)).toBe('10–60 % RH');
  });

  it.each([
    ['not an object', 'x', 'storage'],
    ['an unknown field', { ...FRIDGE, label: '2-8' }, 'storage.label'],
    ['min not below max', { ...FRIDGE, minCelsius: 8 }, 'storage.maxCelsius'],
    ['a temperature in kelvin', { ...FRIDGE, maxCelsius: 281 }, 'storage.maxCelsius'],
    ['a temperature as text', { ...FRIDGE, minCelsius: '2' }, 'storage.minCelsius'],
    ['no budget', { minCelsius: 2, maxCelsius: 8 }, 'storage.budget'],
    ['a negative budget', { ...FRIDGE, budget: { maxMinutesOutOfRange: -1 } }, 'storage.budget.maxMinutesOutOfRange'],
    ['an unbounded budget', { ...FRIDGE, budget: { maxMinutesOutOfRange: Infinity } }, 'storage.budget.maxMinutesOutOfRange'],
    ['an MKT limit below the range', { ...FRIDGE, budget: { maxMinutesOutOfRange: 1, mktLimitCelsius: 1 } }, 'storage.budget.mktLimitCelsius'],
    ['an implausible activation energy', { ...FRIDGE, budget: { maxMinutesOutOfRange: 1, activationEnergyKjPerMol: 83144 } }, 'storage.budget.activationEnergyKjPerMol'],
    ['humidity above 100 %', { ...FRIDGE, humidity: { minPercent: 0, maxPercent: 101 } }, 'storage.humidity.maxPercent'],
    ['an empty humidity range', { ...FRIDGE, humidity: { minPercent: 50, maxPercent: 50 } }, 'storage.humidity.maxPercent'],
    ['a negative humidity budget', { ...FRIDGE, humidity: { minPercent: 10, maxPercent: 60, maxMinutesOutOfRange: -5 } }, 'storage.humidity.maxMinutesOutOfRange'],
    ['a humidity budget as text', { ...FRIDGE, humidity: { minPercent: 10, maxPercent: 60, maxMinutesOutOfRange: '60' } }, 'storage.humidity.maxMinutesOutOfRange'],
  ])('refuses %s (STORAGE_CONDITIONS_INVALID, naming the field)', (_name, value, field) => {
    expect(() => parseStorageConditions(value)).toThrow(expect.objectContaining({ code: 'STORAGE_CONDITIONS_INVALID', details: expect.objectContaining({ field }) }));
  });

  it('any JSON is either storage conditions that read back the same or a typed refusal (fast-check)', () => {
    const near = fc.record({
      minCelsius: fc.oneof(fc.double({ min: -100, max: 80 }), fc.string()),
      maxCelsius: fc.double({ min: -100, max: 80 }),
      budget: fc.record({ maxMinutesOutOfRange: fc.double({ min: -10, max: 1e6 }), mktLimitCelsius: fc.double({ min: -100, max: 80 }) }, { requiredKeys: ['maxMinutesOutOfRange'] }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), near), (value) => {
      let s;
      try {
        s = parseStorageConditions(value);
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).code).toBe('STORAGE_CONDITIONS_INVALID');
        return;
      }
      expect(parseStorageConditions(JSON.parse(JSON.stringify(s)))).toEqual(s);
      expect(s.minCelsius).toBeLessThan(s.maxCelsius);
    }), { numRuns: 500 });
  });
});
