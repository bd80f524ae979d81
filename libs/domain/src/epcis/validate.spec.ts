import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import addFormats from 'ajv-formats';
import { documentOf, INVALID_EVENTS, VALID_EVENTS } from './epcis-examples';
import { canonicalIdentifierForHash, epcUriProblem, epcUriToCanonicalDigitalLink } from './epc-uri';
import { validateEpcisDocument, validateEpcisEvent } from './validate';

describe('EPCIS 2.0 generic validator', () => {
  it.each(Object.entries(VALID_EVENTS))('accepts %s', (_name, event) => {
    expect(validateEpcisEvent(event)).toEqual([]);
  });

  it('accepts a document with all of them, header master data and a prefixed document extension', () => {
    const doc = documentOf(Object.values(VALID_EVENTS), {
      epcisHeader: { epcisMasterData: { vocabularyList: [] }, 'gs1ushc:dscsaTransactionStatement': { 'gs1ushc:affirmTransactionStatement': 'true' } },
      'example:batch': '7',
    });
    expect(validateEpcisDocument(doc)).toEqual([]);
  });

  it.each(INVALID_EVENTS)('refuses %s, naming the element', (_name, event, where) => {
    const issues = validateEpcisEvent(event);
    expect(issues.map((i) => i.path)).toContain(`$.${where}`);
    const issue = issues.find((i) => i.path === `$.${where}`);
    expect(issue?.pointer).toBe('/' + where.replace(/\[(\d+)\]/g, '.$1').split('.').join('/'));
  });

  it('refuses unprefixed document fields and header fields', () => {
    const issues = validateEpcisDocument(documentOf([VALID_EVENTS['objectShip']], { batch: 1, epcisHeader: { sender: 'x' } }));
    expect(issues.map((i) => i.pointer)).toEqual(expect.arrayContaining(['/batch', '/epcisHeader/sender']));
  });
});

describe('EPC URIs (TDS 2.x)', () => {
  // Expected Digital Links checked against the reference implementation's dl_normaliser
  // (epcis-event-hash-generator 1.9.3, run by hand; see docs/events.md).
  it.each([
    ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/10614141073464/21/2017'],
    ['urn:epc:id:sscc:0614141.1234567890', 'https://id.gs1.org/00/106141412345678908'],
    ['urn:epc:id:sgln:0614141.12345.0', 'https://id.gs1.org/414/0614141123452'],
    ['urn:epc:id:sgln:0614141.12345.400', 'https://id.gs1.org/414/0614141123452/254/400'],
    ['urn:epc:id:grai:0614141.12345.400', 'https://id.gs1.org/8003/00614141123452400'],
    ['urn:epc:id:giai:0614141.12345400', 'https://id.gs1.org/8004/061414112345400'],
    ['urn:epc:id:gsrn:0614141.1234567890', 'https://id.gs1.org/8018/061414112345678902'],
    ['urn:epc:id:gsrnp:0614141.1234567890', 'https://id.gs1.org/8017/061414112345678902'],
    ['urn:epc:id:gdti:0614141.12345.400', 'https://id.gs1.org/253/0614141123452400'],
    ['urn:epc:id:cpi:0614141.123ABC.123456789', 'https://id.gs1.org/8010/0614141123ABC/8011/123456789'],
    ['urn:epc:id:sgcn:4012345.67890.04711', 'https://id.gs1.org/255/401234567890104711'],
    ['urn:epc:id:ginc:0614141.xyz47%2F11', 'https://id.gs1.org/401/0614141xyz47%2F11'],
    ['urn:epc:id:gsin:0614141.123456789', 'https://id.gs1.org/402/06141411234567890'],
    ['urn:epc:id:itip:4012345.012345.01.02.987', 'https://id.gs1.org/8006/040123451234560102/21/987'],
    ['urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7\'SDB', "https://id.gs1.org/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7'SDB"],
    ['urn:epc:id:pgln:1234567.89012', 'https://id.gs1.org/417/1234567890128'],
    ['urn:epc:class:lgtin:4012345.012345.998877', 'https://id.gs1.org/01/04012345123456/10/998877'],
    ['urn:epc:idpat:sgtin:4012345.012345.*', 'https://id.gs1.org/01/04012345123456'],
    ['urn:epc:idpat:grai:4012345.12345.*', 'https://id.gs1.org/8003/04012345123456'],
    ['urn:epc:idpat:gdti:4012345.12345.*', 'https://id.gs1.org/253/4012345123456'],
    ['urn:epc:idpat:sgcn:4012345.12345.*', 'https://id.gs1.org/255/4012345123456'],
    ['urn:epc:idpat:cpi:4012345.12345.*', 'https://id.gs1.org/8010/401234512345'],
    ['urn:epc:idpat:itip:4012345.012345.01.02.*', 'https://id.gs1.org/8006/040123451234560102'],
    ['urn:epc:idpat:upui:4012345.012345.*', 'https://id.gs1.org/01/04012345123456'],
  ])('%s is valid and canonicalises to %s', (urn, dl) => {
    expect(epcUriProblem(urn)).toBeUndefined();
    expect(epcUriToCanonicalDigitalLink(urn)).toBe(dl);
  });

  it.each([
    ['https://example.org/gtin/9520123456788/cpv/X/lot/L1/ser/S1?17=201225', 'https://id.gs1.org/01/09520123456788/21/S1'],
    ['https://brand.example/dl/01/09520123456788/10/L1?linkType=all', 'https://id.gs1.org/01/09520123456788/10/L1'],
    ['http://id.gs1.org/00/106141412345678908', 'https://id.gs1.org/00/106141412345678908'],
    ['https://example.com/414/9520123456788/254/7', 'https://id.gs1.org/414/9520123456788/254/7'],
  ])('Digital Link %s canonicalises to %s', (dl, canonical) => {
    expect(canonicalIdentifierForHash(dl)).toBe(canonical);
  });

  it.each([
    'urn:epc:idpat:sgtin:4012345.*.*', 'urn:epc:idpat:sgtin:*.*.*', 'urn:epc:id:gid:95100000.12345.400', 'urn:epc:idpat:sscc:4012345.*',
  ])('%s is valid and has no key-level Digital Link', (urn) => {
    expect(epcUriProblem(urn)).toBeUndefined();
    expect(epcUriToCanonicalDigitalLink(urn)).toBeUndefined();
  });

  it.each([
    ['urn:epc:id:sgtin:0614141.10734.2017', 'digits'],
    ['urn:epc:id:sgtin:0614141.107346.20/17', 'bad %-escape'],
    ['urn:epc:id:sgtin:0614141.107346.', 'characters'],
    ['urn:epc:id:sscc:0614141.12345678901', 'digits'],
    ['urn:epc:class:sgtin:0614141.107346.1', 'lgtin only'],
    ['urn:epc:id:lgtin:0614141.107346.1', 'class'],
    ['urn:epc:id:cpi:0614141.abc.1', 'character set 39'],
    ['urn:epc:id:itip:4012345.012345.1.02.987', 'piece'],
    ['urn:epc:idpat:sgtin:4012345.*.5', 'every component'],
    ['urn:epc:id:foo:1.2', 'unknown EPC scheme'],
  ])('%s is refused (%s)', (urn, reason) => {
    expect(epcUriProblem(urn)).toMatch(new RegExp(reason.replace(/[.*]/g, '\\$&')));
  });
});

/**
 * GS1's EPCIS 2.0 JSON schema as a test oracle. The schema is GS1's file, not ours, so it is not in
 * the repository: point EPCIS_JSON_SCHEMA at a copy of EPCIS-JSON-Schema.json (github gs1/EPCIS),
 * or GS1_EPCIS_GIT_DIR at a clone's git directory. Without either these cases are skipped.
 */
const GS1_EPCIS_GIT_DIR = process.env['GS1_EPCIS_GIT_DIR'];
function gs1Schema(): object | undefined {
  const file = process.env['EPCIS_JSON_SCHEMA'];
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as object;
  const mirror = GS1_EPCIS_GIT_DIR;
  if (!mirror || !existsSync(mirror)) return undefined;
  try {
    return JSON.parse(execFileSync('git', ['--git-dir', mirror, 'show', 'HEAD:EPCIS-JSON-Schema.json'], { encoding: 'utf8' })) as object;
  } catch {
    return undefined;
  }
}

const schema = gs1Schema();

function compiled(jsonSchema: object): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(jsonSchema);
}
(schema ? describe : describe.skip)('GS1 EPCIS 2.0 JSON schema agrees (oracle)', () => {
  // Jest runs a skipped block's body too (to list its tests): compile only when there is a schema.
  const validate = schema ? compiled(schema) : Object.assign(() => true, { errors: null });
  const single = (event: Record<string, unknown>): Record<string, unknown> => documentOf([event]);

  it.each(Object.entries(VALID_EVENTS))('schema accepts %s too', (_name, event) => {
    expect(validate(single(event)) ? [] : validate.errors).toEqual([]);
  });

  // Refusals that come from the standard's text rather than the schema (the schema cannot express them).
  const TEXT_ONLY = new Set(['AssociationEvent with ilmd', 'unknown GS1 measurement type', 'sgtin with 14 digits', 'unknown EPC scheme', 'pattern with a star in the middle', 'bad time zone offset', 'AggregationEvent ADD without children']);
  it.each(INVALID_EVENTS.filter(([name]) => !TEXT_ONLY.has(name)))('schema refuses %s too', (_name, event) => {
    expect(validate(single(event))).toBe(false);
  });

  // Property: mutate valid events at random; whatever the schema refuses, we refuse too, except
  // where we deliberately follow the standard over the schema (docs/events.md).
  it('refuses every mutated event the schema refuses', () => {
    const KEYS = ['epcList', 'parentID', 'childEPCs', 'action', 'bizStep', 'disposition', 'readPoint', 'quantityList', 'inputEPCList', 'outputEPCList',
      'transformationID', 'sensorElementList', 'ilmd', 'eventTime', 'eventTimeZoneOffset', 'bizTransactionList', 'sourceList', 'destinationList', 'errorDeclaration',
      'certificationInfo', 'extra', 'example:extra', 'type', 'eventID', 'childQuantityList'];
    const VALUES = [undefined, 'x', 'urn:epc:id:sgtin:0312345.067890.1002', 42, true, [], ['a b'], [{}], {}, { id: 'urn:x:1' }, 'ADD', 'shipping', '2026-01-01T00:00:00Z', [{ sensorReport: [{ type: 'x y' }] }]];
    const mutation = fc.tuple(fc.constantFrom(...Object.values(VALID_EVENTS)), fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)), { minLength: 1, maxLength: 3 }));
    fc.assert(fc.property(mutation, ([event, changes]) => {
      const e: Record<string, unknown> = { ...event };
      for (const [k, v] of changes) {
        if (v === undefined) delete e[k];
        else e[k] = v;
      }
      const deliberate = e['persistentDisposition'] !== undefined && !['ObjectEvent', 'TransformationEvent'].includes(String(e['type']));
      if (!validate(single(e)) && !deliberate) expect(validateEpcisEvent(e).length).toBeGreaterThan(0);
    }), { numRuns: Math.max(400, Math.round(Number(process.env.PEDIGREE_FUZZ_RUNS ?? 0) / 4)) });
  });
});

/** GS1's published EPCIS 2.0 examples (JSON and XML) from the same clone, when given: all must be accepted. */
const MIRROR = GS1_EPCIS_GIT_DIR;
const examples = ((): Array<[string, string]> => {
  if (!MIRROR || !existsSync(MIRROR)) return [];
  try {
    const files = execFileSync('git', ['--git-dir', MIRROR, 'ls-tree', '-r', '--name-only', 'HEAD'], { encoding: 'utf8' }).split('\n').filter((f) => /^(JSON|XML)\/.*\.(jsonld|json|xml)$/.test(f));
    return files.map((f) => [f, execFileSync('git', ['--git-dir', MIRROR, 'show', `HEAD:${f}`], { encoding: 'utf8', maxBuffer: 1 << 26 })] as [string, string]);
  } catch {
    return [];
  }
})();
const eventDocuments = examples.filter(([, text]) => /EPCISDocument/.test(text) && !/EPCISQueryDocument|EPCISMasterDataDocument|EPCISCaptureJob/.test(text.slice(0, 2000)));
(eventDocuments.length ? describe : describe.skip)("GS1's published EPCIS 2.0 examples are accepted (oracle)", () => {
  it.each(eventDocuments)('%s', (file, text) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readAndValidateEpcisXml } = require('./xml') as typeof import('./xml');
    const issues = file.endsWith('.xml') ? readAndValidateEpcisXml(text).issues : validateEpcisDocument(JSON.parse(text));
    expect(issues).toEqual([]);
  });
});
