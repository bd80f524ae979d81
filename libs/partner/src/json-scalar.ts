import { GraphQLScalarType, Kind, ValueNode } from 'graphql';

/** Arbitrary JSON (EPCIS events, Transaction Information): documents whose schema is owned elsewhere. */
const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'A JSON value',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: function literal(ast: ValueNode): unknown {
    switch (ast.kind) {
      case Kind.STRING: case Kind.BOOLEAN: return ast.value;
      case Kind.INT: case Kind.FLOAT: return Number(ast.value);
      case Kind.OBJECT: return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
      case Kind.LIST: return ast.values.map(literal);
      default: return null;
    }
  },
});
export default GraphQLJSON;
