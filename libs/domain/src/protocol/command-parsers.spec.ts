import fc from 'fast-check';
import { DomainError } from '../errors';
import { COMMAND_FIELDS, parseLedgerCommand } from './command-parsers';
import type { LedgerCommandName } from './commands';

const ok = (transaction: LedgerCommandName, body: Record<string, unknown>) => parseLedgerCommand(transaction, JSON.stringify({ eventId: 'e-1', ...body }));

function refusal(transaction: LedgerCommandName, json: string): { code: string; field?: unknown; reason?: unknown } {
  try {
    parseLedgerCommand(transaction, json);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { code: err.code, field: err.details?.['field'], reason: err.details?.['reason'] };
  }
  throw new Error(`${transaction} accepted ${json}`);
}

describe('parseLedgerCommand', () => {
  it('returns exactly the declared fields, typed', () => {
    expect(ok('Commission', { gtin: '00312345678906', lot: 'L1', expiry: '2030-06-30', serials: ['1', '2'], submittedBy: 'qa@acme' }))
      .toEqual({ eventId: 'e-1', submittedBy: 'qa@acme', gtin: '00312345678906', lot: 'L1', expiry: '2030-06-30', serials: ['1', '2'] });
    expect(ok('Ship', { to: 'DistributorMSP', epcs: ['urn:epc:id:sscc:0312345.1000000001'], statement: { affirmed: true } }))
      .toEqual({ eventId: 'e-1', to: 'DistributorMSP', epcs: ['urn:epc:id:sscc:0312345.1000000001'], statement: { affirmed: true } });
    expect(ok('Release', { epcs: ['x'] })).toEqual({ eventId: 'e-1', epcs: ['x'] });
    const storage = { minCelsius: 2, maxCelsius: 8, budget: { maxMinutesOutOfRange: 120, mktLimitCelsius: 8 } };
    expect(ok('RegisterProduct', { gtin: '00312345678906', name: 'Insulin', strength: '100 U/mL', dosageForm: 'injection', packSize: '10 mL', storage }))
      .toMatchObject({ storage });
    const clock = { timeZone: 'America/Chicago', graceBusinessDays: { product_without_data: 5 } };
    expect(ok('RaiseExceptions', { findings: [{ rule: 'product_without_data', shipmentId: 's', seller: 'M', receiver: 'D', subjects: ['x'], evidence: { summary: 'no data' } }], clock }))
      .toMatchObject({ clock });
  });

  const FINDING = { rule: 'product_without_data', shipmentId: 's', seller: 'M', receiver: 'D', subjects: ['x'], hold: [], evidence: { summary: 'no data' } };
  const cases: Array<[string, LedgerCommandName, unknown, string, string | undefined]> = [
    ['not JSON', 'Release', '{', 'COMMAND_INVALID', undefined],
    ['an array', 'Release', [], 'COMMAND_INVALID', undefined],
    ['no eventId', 'Release', { epcs: ['x'] }, 'COMMAND_INVALID', undefined],
    ['eventId too long', 'Release', { eventId: 'x'.repeat(257), epcs: ['x'] }, 'COMMAND_INVALID', undefined],
    ['submittedBy with a newline', 'Release', { eventId: 'e', submittedBy: 'a\nb', epcs: ['x'] }, 'COMMAND_INVALID', undefined],
    ['a misspelt optional field', 'Dispense', { eventId: 'e', epcs: ['x'], sites: 'GLN' }, 'COMMAND_INVALID', 'sites'],
    ['a field of another command', 'Release', { eventId: 'e', epcs: ['x'], reason: 'suspect' }, 'COMMAND_INVALID', 'reason'],
    ['a required field missing', 'Quarantine', { eventId: 'e', epcs: ['x'] }, 'COMMAND_INVALID', 'reason'],
    ['a reason not in the vocabulary', 'Quarantine', { eventId: 'e', epcs: ['x'], reason: 'bored' }, 'COMMAND_INVALID', 'reason'],
    ['epcs not a list', 'Destroy', { eventId: 'e', epcs: 'urn:epc:id:sgtin:0312345.067890.1' }, 'COMMAND_INVALID', 'epcs'],
    ['epcs with a number', 'Destroy', { eventId: 'e', epcs: [1] }, 'COMMAND_INVALID', 'epcs'],
    ['sealed as a string', 'Pack', { eventId: 'e', parent: 'p', children: ['c'], sealed: 'yes' }, 'COMMAND_INVALID', 'sealed'],
    ['a purpose not sale or return', 'Ship', { eventId: 'e', to: 'X', epcs: ['x'], purpose: 'gift' }, 'COMMAND_INVALID', 'purpose'],
    ['a statement with an extra field', 'Ship', { eventId: 'e', to: 'X', epcs: ['x'], statement: { affirmed: true, signedBy: 'me' } }, 'COMMAND_INVALID', 'statement.signedBy'],
    ['a statement not affirmed as boolean', 'Ship', { eventId: 'e', to: 'X', epcs: ['x'], statement: { affirmed: 'yes' } }, 'COMMAND_INVALID', 'statement.affirmed'],
    ['a lot longer than AI (10) carries', 'Commission', { eventId: 'e', gtin: '00312345678906', lot: 'L'.repeat(21), expiry: '2030-06-30', serials: ['1'] }, 'COMMAND_INVALID', 'lot'],
    ['a lot outside CSET 82', 'RecallLot', { eventId: 'e', gtin: '00312345678906', lot: 'LOT 1', recallId: 'R' }, 'COMMAND_INVALID', 'lot'],
    ['an expiry that is no calendar date', 'Commission', { eventId: 'e', gtin: '00312345678906', lot: 'L1', expiry: '2030-02-30', serials: ['1'] }, 'TIME_INVALID', undefined],
    ['an empty name', 'RegisterProduct', { eventId: 'e', gtin: '00312345678906', name: '', strength: '1', dosageForm: 'tablet', packSize: '30' }, 'COMMAND_INVALID', 'name'],
    ['storage conditions with an empty range', 'RegisterProduct', { eventId: 'e', gtin: '00312345678906', name: 'Insulin', strength: '100 U/mL', dosageForm: 'injection', packSize: '10 mL', storage: { minCelsius: 8, maxCelsius: 2, budget: { maxMinutesOutOfRange: 60 } } }, 'COMMAND_INVALID', 'storage.maxCelsius'],
    ['storage conditions without a budget', 'RegisterProduct', { eventId: 'e', gtin: '00312345678906', name: 'Insulin', strength: '100 U/mL', dosageForm: 'injection', packSize: '10 mL', storage: { minCelsius: 2, maxCelsius: 8 } }, 'COMMAND_INVALID', 'storage.budget'],
    ['verified missing', 'VerifyReturn', { eventId: 'e', epcs: ['x'] }, 'COMMAND_INVALID', 'verified'],
    ['a governance change of no known kind', 'Propose', { eventId: 'e', change: { kind: 'dissolve' } }, 'COMMAND_INVALID', undefined],
    ['a clock policy with an unknown field', 'RaiseExceptions', { eventId: 'e', findings: [FINDING], clock: { zone: 'UTC' } }, 'COMMAND_INVALID', 'clock.zone'],
    ['a grace for no rule code', 'RaiseExceptions', { eventId: 'e', findings: [FINDING], clock: { graceBusinessDays: { late: 2 } } }, 'COMMAND_INVALID', 'clock.graceBusinessDays.late'],
    ['a grace out of range', 'RaiseExceptions', { eventId: 'e', findings: [FINDING], clock: { graceBusinessDays: { product_without_data: 45 } } }, 'CLOCK_INVALID', undefined],
    ['a time zone Intl does not know', 'RaiseExceptions', { eventId: 'e', findings: [FINDING], clock: { timeZone: 'Europe/Atlantis' } }, 'CLOCK_INVALID', undefined],
    ['an escalation without its exception', 'EscalateException', { eventId: 'e' }, 'COMMAND_INVALID', 'exceptionId'],
  ];
  it.each(cases)('refuses %s', (_name, transaction, body, code, field) => {
    const r = refusal(transaction, typeof body === 'string' ? body : JSON.stringify(body));
    expect(r.code).toBe(code);
    if (field !== undefined) expect(r.field).toBe(field);
  });

  it('declares a parser for every field of every command', () => {
    for (const [transaction, fields] of Object.entries(COMMAND_FIELDS)) {
      for (const [field, spec] of Object.entries(fields as Record<string, { read: unknown }>)) expect([transaction, field, typeof spec.read]).toEqual([transaction, field, 'function']);
    }
  });

  it('never crashes: any JSON is a command or a typed refusal', () => {
    const transactions = Object.keys(COMMAND_FIELDS) as LedgerCommandName[];
    fc.assert(
      fc.property(fc.constantFrom(...transactions), fc.oneof(fc.json(), fc.string()), (transaction, json) => {
        try {
          const command = parseLedgerCommand(transaction, json) as unknown as Record<string, unknown>;
          // What it accepted carries only the declared fields.
          for (const key of Object.keys(command)) expect(['eventId', 'submittedBy', ...Object.keys(COMMAND_FIELDS[transaction])]).toContain(key);
        } catch (err) {
          expect(err).toBeInstanceOf(DomainError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts what it returned (parsing is idempotent)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 5 }), fc.option(fc.constantFrom('GLN1', 'GLN2'), { nil: undefined }), (epcs, site) => {
        const first = ok('Dispense', { epcs, ...(site ? { site } : {}) });
        expect(parseLedgerCommand('Dispense', JSON.stringify(first))).toEqual(first);
      }),
    );
  });
});
