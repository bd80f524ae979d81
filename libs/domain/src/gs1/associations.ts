import { aiError, type DomainError } from '../errors';
import { aiDefinition, matchesAiPattern } from './application-identifiers';

/**
 * The Syntax Dictionary's association rules over one set of AIs (the dictionary says: over all
 * the data carried by one physical item's GS1 carriers):
 *  - req=: every clause needs one alternative whose AIs (joined by "+") are all present;
 *  - ex=: no other AI may match an excluded AI or pattern ("310n": any digit in place of n); an AI
 *    never excludes itself.
 *  - GenSpecs' digital signature rule (as GS1's Syntax Engine applies it): with (8030), a (253),
 *    (255) or (8003) key must carry its serial component (rule "digsig-serial"; needs `values`).
 */
export function aiAssociationViolations(ais: Iterable<string>, values?: Readonly<Record<string, string>>): DomainError[] {
  // Ascending AI order and exclusions before requisites, so that one set always yields the same first error.
  const present = [...new Set(ais)].sort();
  const has = (pattern: string): boolean => present.some((ai) => matchesAiPattern(ai, pattern));
  const out: DomainError[] = [];
  for (const ai of present) {
    for (const pattern of aiDefinition(ai)?.exclusions ?? []) {
      const clash = present.find((other) => other !== ai && matchesAiPattern(other, pattern));
      if (clash) out.push(aiError('AI_ASSOCIATION', ai, `may not appear together with AI (${clash})`, { rule: 'ex', excluded: clash, ...(pattern !== clash ? { pattern } : {}) }));
    }
  }
  for (const ai of present) {
    for (const clause of aiDefinition(ai)?.requisites ?? []) {
      if (clause.some((alternative) => alternative.every(has))) continue;
      const shown = clause.map((alternative) => alternative.map((a) => `(${a})`).join('+'));
      out.push(aiError('AI_ASSOCIATION', ai, `requires ${shown.length > 1 ? 'one of ' : ''}AI ${shown.join(', ')} in the same scan`, { rule: 'req', requisites: shown }));
    }
  }
  if (values && present.includes('8030')) {
    for (const ai of ['253', '255', '8003']) {
      const value = values[ai];
      const def = aiDefinition(ai);
      if (value === undefined || !def) continue;
      const minimum = def.components.filter((c) => !c.optional).reduce((n, c) => n + c.min, 0);
      if (value.length === minimum) out.push(aiError('AI_ASSOCIATION', ai, 'carries no serial component, which a key signed by a digital signature (8030) must have', { rule: 'digsig-serial' }));
    }
  }
  return out;
}

/** Throws the first of `aiAssociationViolations`: AI_ASSOCIATION naming the AI and the rule ("req", "ex", "digsig-serial"). */
export function checkAiAssociations(ais: Iterable<string>, values?: Readonly<Record<string, string>>): void {
  const [first] = aiAssociationViolations(ais, values);
  if (first) throw first;
}
