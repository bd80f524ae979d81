import { DomainError } from './errors';

/**
 * Deterministic JSON: object keys sorted recursively (UTF-16 code unit order, as Array#sort does),
 * no whitespace, `undefined` properties dropped. Every endorsing peer must write byte-identical
 * state for the same transaction, and JavaScript's own key order (integer-like keys first, then
 * insertion order) differs between code paths that build the "same" record.
 *
 * Values that JSON would silently change (NaN, Infinity, functions, symbols, bigint, Dates, class
 * instances, cycles) are rejected instead, so a record never round-trips to something else.
 */
export function canonicalJson(value: unknown, known?: CanonicalCache): string {
  return write(value, new Set(), [], known);
}

/**
 * Canonical JSON already made for objects: the chaincode writes each changed record to state and
 * then the same record objects again inside the transaction's event, and serialising a 10,000-pack
 * batch twice was most of its CPU time. Only for objects that are not changed after they are
 * serialised (records are replaced, never mutated).
 */
export type CanonicalCache = WeakMap<object, string>;

/**
 * `path` is the keys from the root to `value`, kept as a stack and turned into text only for an
 * error: building `$.a.b[3]` for every value cost more than the serialising itself on a 5,000-pack
 * batch.
 */
function write(value: unknown, ancestors: Set<object>, path: (string | number)[], known: CanonicalCache | undefined): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw unserialisable(path, `${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw unserialisable(path, `${typeof value} cannot be stored as JSON`);
  }
  const obj = value as object;
  const made = known?.get(obj);
  if (made !== undefined) return made;
  if (ancestors.has(obj)) throw unserialisable(path, 'circular reference');
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items: string[] = [];
      for (let i = 0; i < obj.length; i++) {
        const item = (obj as unknown[])[i];
        if (item === undefined) {
          items.push('null');
          continue;
        }
        path.push(i);
        items.push(write(item, ancestors, path, known));
        path.pop();
      }
      return `[${items.join(',')}]`;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) throw unserialisable(path, `${(obj as { constructor?: { name?: string } }).constructor?.name ?? 'object'} instance is not plain data`);
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(record).sort()) {
      const v = record[k];
      if (v === undefined) continue;
      path.push(k);
      parts.push(`${JSON.stringify(k)}:${write(v, ancestors, path, known)}`);
      path.pop();
    }
    return `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(obj);
  }
}

function unserialisable(keys: readonly (string | number)[], reason: string): DomainError {
  const path = keys.reduce<string>((text, k) => (typeof k === 'number' ? `${text}[${k}]` : `${text}.${k}`), '$');
  return new DomainError('NOT_SERIALISABLE', `cannot serialise ${path}: ${reason}`, { reason, path });
}
