import type { CharacterSet } from './charset';
import { SYNTAX_DICTIONARY } from './syntax-dictionary.generated';

/**
 * GS1 Application Identifier table. The rows are generated from the GS1 Barcode Syntax Dictionary
 * (syntax-dictionary.generated.ts, by infra/src/gs1/generate-ai-table.ts), never typed by hand:
 * formats, components, linters, requisites (req=), exclusions (ex=) and Digital Link key
 * qualifiers all come from GS1's own data. Parsing, encoding, Digital Link and association checks
 * read the same rows. Unknown AIs are rejected rather than guessed, because an unknown AI also
 * means we cannot know where its value ends.
 */

/** Names of the dictionary's linters (content checks of one component); see linters.ts. */
export type LinterName = string;

/** A row as the generator writes it. */
export interface DictionaryEntry {
  readonly ai: string;
  readonly title: string;
  /** Needs FNC1/GS after it unless last (not of GS1 predefined length). */
  readonly fnc1: boolean;
  /** May be a GS1 Digital Link query data attribute ("?" flag). */
  readonly dlAttribute: boolean;
  readonly components: readonly DictionaryComponent[];
  /** Requisites: every clause needs one of its alternatives, an alternative all of its AIs/patterns. */
  readonly req?: readonly (readonly (readonly string[])[])[];
  /** AIs or patterns ("310n") that may not appear alongside. */
  readonly ex?: readonly string[];
  /** Digital Link primary key: alternative ordered qualifier sequences ([[]] = no qualifiers). */
  readonly dlpkey?: readonly (readonly string[])[];
}

export interface DictionaryComponent {
  /** N digits, X CSET 82, Y CSET 39, Z CSET 64 (base64url). */
  readonly cset: CharacterSet;
  readonly min: number;
  readonly max: number;
  readonly optional?: boolean;
  readonly linters?: readonly LinterName[];
}

/** Kept for callers of the former hand-written table: the first linter that is a content check. */
export type ComponentCheck = LinterName;

export interface AiComponent extends DictionaryComponent {
  /** @deprecated the first linter; read `linters` for all of them. */
  readonly check?: ComponentCheck;
}

export interface AiDefinition {
  readonly ai: string;
  readonly title: string;
  readonly components: readonly AiComponent[];
  /** GS1 predefined-length AIs never need a GS/FNC1 after them (dictionary flag "*"). */
  readonly predefinedLength: boolean;
  /** Total value length when every component is fixed, otherwise undefined (variable length). */
  readonly fixedLength?: number;
  readonly maxLength: number;
  /** Requisite clauses as in the dictionary (see DictionaryEntry.req). */
  readonly requisites: readonly (readonly (readonly string[])[])[];
  /** Exclusions as in the dictionary: AIs or patterns with "n" for any digit. */
  readonly exclusions: readonly string[];
  /** @deprecated the requisite clauses whose alternatives are single AIs, flattened; use `requisites`. */
  readonly requires?: readonly (readonly string[])[];
  /** @deprecated use `exclusions` (patterns included). */
  readonly excludes?: readonly string[];
  /** Whether the AI may be a Digital Link query data attribute. */
  readonly digitalLinkAttribute: boolean;
  /** Digital Link primary key: its alternative qualifier sequences. */
  readonly digitalLinkKeySequences?: readonly (readonly string[])[];
  /** @deprecated the first qualifier sequence; use `digitalLinkKeySequences`. */
  readonly digitalLinkQualifiers?: readonly string[];
}

function define(row: DictionaryEntry): AiDefinition {
  const components: AiComponent[] = row.components.map((c) => ({ ...c, ...(c.linters?.[0] ? { check: c.linters[0] } : {}) }));
  const fixed = components.every((c) => c.min === c.max && !c.optional);
  const requisites = row.req ?? [];
  return {
    ai: row.ai,
    title: row.title,
    components,
    predefinedLength: !row.fnc1,
    fixedLength: fixed ? components.reduce((s, c) => s + c.max, 0) : undefined,
    maxLength: components.reduce((s, c) => s + c.max, 0),
    requisites,
    exclusions: row.ex ?? [],
    ...(requisites.length ? { requires: requisites.map((clause) => clause.flat()) } : {}),
    ...(row.ex?.length ? { excludes: row.ex } : {}),
    digitalLinkAttribute: row.dlAttribute,
    ...(row.dlpkey ? { digitalLinkKeySequences: row.dlpkey, digitalLinkQualifiers: row.dlpkey[0] } : {}),
  };
}

export const APPLICATION_IDENTIFIERS: ReadonlyMap<string, AiDefinition> = new Map(SYNTAX_DICTIONARY.map((r) => [r.ai, define(r)]));

export function aiDefinition(ai: string): AiDefinition | undefined {
  return APPLICATION_IDENTIFIERS.get(ai);
}

/**
 * The AI at `position`, found by trying 2, 3 and 4 digits. GS1 AIs are prefix-free, so at most one
 * length can match (a unit test holds the table to that).
 */
export function aiAt(data: string, position: number): AiDefinition | undefined {
  for (let len = 2; len <= 4; len++) {
    const candidate = data.slice(position, position + len);
    if (candidate.length < len || !/^[0-9]+$/.test(candidate)) return undefined;
    const def = APPLICATION_IDENTIFIERS.get(candidate);
    if (def) return def;
  }
  return undefined;
}

/** GS1 Digital Link primary-key AIs, in dictionary order. */
export const DIGITAL_LINK_PRIMARY_KEYS: readonly string[] = SYNTAX_DICTIONARY.filter((r) => r.dlpkey !== undefined).map((r) => r.ai);

/** Whether `ai` matches a dictionary AI pattern: same length, "n" standing for any digit. */
export function matchesAiPattern(ai: string, pattern: string): boolean {
  if (ai.length !== pattern.length) return false;
  for (let i = 0; i < ai.length; i++) {
    const p = pattern[i] as string;
    if (p !== 'n' && p !== ai[i]) return false;
  }
  return true;
}
