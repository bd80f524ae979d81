import { aiError } from '../errors';
import { aiDefinition, matchesAiPattern } from './application-identifiers';

/**
 * The Syntax Dictionary's association rules over one set of AIs (the dictionary says: over all
 * the data carried by one physical item's GS1 carriers):
 *  - req=: every clause needs one alternative whose AIs (joined by "+") are all present;
 *  - ex=: no other AI may match an excluded AI or pattern ("310n": any digit in place of n); an AI
 *    never excludes itself.
 * Throws AI_ASSOCIATION naming the AI and the rule (details.rule "req" or "ex").
 */
export function checkAiAssociations(ais: Iterable<string>): void {
  // Ascending AI order and exclusions before requisites, so that one set always yields the same error.
  const present = [...new Set(ais)].sort();
  const has = (pattern: string): boolean => present.some((ai) => matchesAiPattern(ai, pattern));
  for (const ai of present) {
    for (const pattern of aiDefinition(ai)?.exclusions ?? []) {
      const clash = present.find((other) => other !== ai && matchesAiPattern(other, pattern));
      if (clash) {
        throw aiError('AI_ASSOCIATION', ai, `may not appear together with AI (${clash})`, { rule: 'ex', excluded: clash, ...(pattern !== clash ? { pattern } : {}) });
      }
    }
  }
  for (const ai of present) {
    for (const clause of aiDefinition(ai)?.requisites ?? []) {
      if (clause.some((alternative) => alternative.every(has))) continue;
      const shown = clause.map((alternative) => alternative.map((a) => `(${a})`).join('+'));
      throw aiError('AI_ASSOCIATION', ai, `requires ${shown.length > 1 ? 'one of ' : ''}AI ${shown.join(', ')} in the same scan`, { rule: 'req', requisites: shown });
    }
  }
}
