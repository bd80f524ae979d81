/**
 * GS1 mod-10 check digit shared by GTIN, SSCC, GLN, GSRN, GDTI, ITIP...: weights 3,1,3,... from the
 * rightmost data digit, check = (10 - sum mod 10) mod 10.
 */
export function gs1CheckDigit(dataDigits: string): number {
  let sum = 0;
  for (let i = dataDigits.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (dataDigits.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

export function isAllDigits(value: string): boolean {
  return value.length > 0 && /^[0-9]+$/.test(value);
}

/** True when `digits` (data digits followed by the check digit) carries a correct check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  return isAllDigits(digits) && digits.length >= 2 && gs1CheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

export function withCheckDigit(dataDigits: string): string {
  return dataDigits + String(gs1CheckDigit(dataDigits));
}
