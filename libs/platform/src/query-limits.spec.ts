import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { DEFAULT_QUERY_LIMITS, queryLimitRules, requestCost, requestCostError } from './query-limits';

const schema = buildSchema(`
  type Pack { epc: String! lot: String trace(first: Int): [Entry!]! }
  type Entry { at: String }
  type Q { packs(first: Int, after: String): [Pack!]! big(first: Int = 50): [Pack!]! pack: Pack n: Int }
  schema { query: Q }`);
const limits = { ...DEFAULT_QUERY_LIMITS, maxDepth: 4, maxAliases: 30, maxCost: 20_000, defaultPageSize: 20, maxPageSize: 200 };
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) => requestCost(schema, [{ document: parse(query), variables, operationName }], limits).cost;

describe('the cost rule', () => {
  it('costs an omitted first at the resolvers\' default page, or the schema\'s declared default', () => {
    // 1 for the list field + 20 packs x 2 leaves
    expect(cost('{ packs { epc lot } }')).toBe(1 + 20 * 2);
    expect(cost('{ big { epc } }')).toBe(1 + 50);
    expect(cost('{ packs(first: 5) { epc } }')).toBe(1 + 5);
  });

  it('costs a $first variable at its value, its declared default, or the largest page when unknown', () => {
    const q = 'query($n: Int) { packs(first: $n) { epc } }';
    expect(cost(q, { n: 200 })).toBe(1 + 200);
    expect(cost(q, { n: 3 })).toBe(1 + 3);
    expect(cost('query($n: Int = 7) { packs(first: $n) { epc } }', {})).toBe(1 + 7);
    expect(cost(q, { n: 'lots' })).toBe(1 + 200);
  });

  it('multiplies nested pages', () => {
    expect(cost('{ packs(first: 10) { trace(first: 10) { at } } }')).toBe(1 + 10 * (1 + 10));
    expect(cost('{ packs { trace { at } } }')).toBe(1 + 20 * (1 + 20));
  });

  it('counts aliases and every operation of a batch together', () => {
    const aliased = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: packs(first: 40) { epc lot trace { at } }`).join(' ')} }`;
    const one = requestCost(schema, [{ document: parse(aliased) }], limits);
    expect(one.aliases).toBe(25);
    expect(one.cost).toBe(25 * (1 + 40 * (2 + 1 + 20)));
    expect(requestCostError(schema, [{ document: parse(aliased) }], limits)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    // Ten operations of 25 aliases each: each alone under the alias limit, together over it.
    const small = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: n`).join(' ')} }`;
    expect(requestCostError(schema, [{ document: parse(small) }], limits)).toBeUndefined();
    const batch = Array.from({ length: 10 }, () => ({ document: parse(small) }));
    expect(requestCostError(schema, batch, limits)?.extensions).toMatchObject({ limit: 'aliases' });
    // And cost: one page of 200 is fine, ten of them in a batch are not.
    const page = { document: parse('query($n: Int) { packs(first: $n) { epc lot trace(first: 10) { at } } }'), variables: { n: 200 } };
    expect(requestCostError(schema, [page], limits)).toBeUndefined();
    expect(requestCostError(schema, Array.from({ length: 10 }, () => page), limits)?.extensions).toMatchObject({ limit: 'cost' });
  });

  it('costs only the named operation of a document with several', () => {
    const doc = 'query A { packs(first: 100) { epc } } query B { n }';
    expect(cost(doc, undefined, 'B')).toBe(1);
    expect(cost(doc)).toBe(1 + 100 + 1);
  });

  it('follows fragments and does not loop on a cycle', () => {
    expect(cost('{ packs(first: 2) { ...P } } fragment P on Pack { epc lot }')).toBe(1 + 2 * 2);
    expect(cost('{ packs(first: 2) { ...P } } fragment P on Pack { epc ...P }')).toBe(1 + 2 * 1);
  });
});

describe('validation rules (depth and aliases, before execution)', () => {
  const errors = (q: string) => validate(schema, parse(q), [...specifiedRules, ...queryLimitRules({ ...limits, maxAliases: 2 })]).map((e) => e.extensions.limit);
  it('passes a small query and refuses depth and alias abuse', () => {
    expect(errors('{ packs { epc } }')).toEqual([]);
    expect(errors('{ packs { trace { at } } pack { trace { at } } }')).toEqual([]);
    expect(errors('{ x: n y: n z: n }')).toContain('aliases');
    const deep = buildSchema('type Q { q: Q n: Int } schema { query: Q }');
    expect(validate(deep, parse('{ q { q { q { q { n } } } } }'), queryLimitRules(limits)).map((e) => e.extensions.limit)).toContain('depth');
  });
});
