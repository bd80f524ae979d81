/**
 * GS1 character sets (General Specifications §7.11). CSET 82 is what serials and lots may use; it
 * has no space, `#`, `@`, `$`, backslash, braces or `~`, which is why those can double as
 * separator substitutes on keyboard-wedge scanners without colliding with real data.
 */
export const CSET82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
/** CSET 39 (used by AI 8010 CPID): upper-case, digits and `# - . /`. */
export const CSET39 = '#-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** CSET 64 (AI 8030 digital signature): base64url, with "=" padding at the end only. */
export const CSET64 = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz=';

const CSET82_SET = new Set(CSET82);
const CSET39_SET = new Set(CSET39);
const CSET64_SET = new Set(CSET64);

export type CharacterSet = 'N' | 'X' | 'Y' | 'Z';

/** Index of the first character outside the set, or -1. */
export function firstInvalidCharacter(value: string, set: CharacterSet): number {
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    const ok = set === 'N' ? c >= '0' && c <= '9' : set === 'X' ? CSET82_SET.has(c) : set === 'Y' ? CSET39_SET.has(c) : CSET64_SET.has(c);
    if (!ok) return i;
  }
  return -1;
}

export function isCset82(value: string): boolean {
  return firstInvalidCharacter(value, 'X') === -1;
}

export const CHARACTER_SET_NAME: Readonly<Record<CharacterSet, string>> = {
  N: 'digits',
  X: 'GS1 character set 82',
  Y: 'GS1 character set 39',
  Z: 'GS1 character set 64 (base64url)',
};

/** Renders a character for error messages so that control characters and spaces are visible. */
export function describeCharacter(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (c === ' ') return "' ' (space)";
  if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, '0')} (control character)`;
  return `'${c}'`;
}
