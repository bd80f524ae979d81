import { DomainError } from '../errors';
import { aiDefinition } from './application-identifiers';
import { validateAiValue } from './ai-value';
import { checkAiAssociations } from './associations';
import { compareAis } from './digital-link';

/**
 * Encoders for the two non-URI scan forms. They exist for label printing, test fixtures and the
 * property tests that prove parse(encode(x)) == x for every form.
 */

export interface ElementStringOptions {
  /** Prefix such as ']d2'; default none (what a scanner sends with identifiers switched off). */
  readonly symbologyIdentifier?: string;
  /** What to emit for FNC1/GS; default the real GS character 0x1D. */
  readonly separator?: string;
}

/**
 * AIs in ascending order. JavaScript objects list integer-like keys ("10", "17") before others
 * ("01"), so insertion order cannot be relied on; sorting also gives the conventional 01-17-10-21.
 */
function entries(ais: Readonly<Record<string, string>>): Array<[string, string]> {
  // A label must not carry what a scanner would refuse: the dictionary's req=/ex= hold here too.
  checkAiAssociations(Object.keys(ais), ais);
  return Object.keys(ais)
    .sort(compareAis)
    .map((ai) => {
      const value = ais[ai] as string;
      validateAiValue(ai, value);
      return [ai, value];
    });
}

/**
 * GS1 element string as a barcode encodes it. Predefined-length AIs go first because they need no
 * separator; every other AI is followed by GS unless it is last (GenSpecs, predefined-length table).
 */
export function toElementString(ais: Readonly<Record<string, string>>, options: ElementStringOptions = {}): string {
  const separator = options.separator ?? '\u001d';
  const list = entries(ais);
  if (list.length === 0) throw new DomainError('SCAN_MALFORMED', 'nothing to encode', { reason: 'no AIs' });
  const predefined = list.filter(([ai]) => aiDefinition(ai)?.predefinedLength);
  const others = list.filter(([ai]) => !aiDefinition(ai)?.predefinedLength);
  const ordered = [...predefined, ...others];
  let out = options.symbologyIdentifier ?? '';
  ordered.forEach(([ai, value], i) => {
    out += ai + value;
    if (i < ordered.length - 1 && !aiDefinition(ai)?.predefinedLength) out += separator;
  });
  return out;
}

/** Human-readable `(01)...(17)...` form; a literal "(" inside a value is escaped as "\(". */
export function toBracketed(ais: Readonly<Record<string, string>>): string {
  return entries(ais)
    .map(([ai, value]) => `(${ai})${value.replace(/\(/g, '\\(')}`)
    .join('');
}
