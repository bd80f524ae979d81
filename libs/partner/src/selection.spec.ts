import { FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { selects } from './selection';

function infoOf(query: string) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const field = op.selectionSet.selections[0];
  if (field.kind !== Kind.FIELD) throw new Error('first selection must be a field');
  return { fieldNodes: [field], fragments };
}

const PATH = ['edges', 'node', 'epcisEvent'];

describe('selects', () => {
  it.each([
    ['asked directly', '{ lotTrace { edges { node { step epcisEvent } } } }', true],
    ['not asked', '{ lotTrace { edges { node { step subject } } pageInfo { hasNextPage } } }', false],
    ['same name elsewhere does not count', '{ lotTrace { epcisEvent edges { cursor } } }', false],
    ['through an inline fragment', '{ lotTrace { edges { node { ... on TraceEntry { epcisEvent } } } } }', true],
    ['through a fragment spread', '{ lotTrace { edges { ...E } } } fragment E on TraceEdge { node { epcisEvent } }', true],
    ['an aliased field still counts by name', '{ lotTrace { edges { node { e: epcisEvent } } } }', true],
  ])('%s', (_name, query, expected) => {
    expect(selects(infoOf(query), PATH)).toBe(expected);
  });
});
