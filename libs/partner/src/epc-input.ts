import { DomainError, isEpcUrn, parseScan, sgtinToEpcUrn, ssccToEpcUrn } from '@pedigree/domain';

/**
 * What users type or scan to name a pack or a container: an EPC URN, a GS1 Digital Link or an
 * element string (with or without `]d2`, bracketed). Everything becomes the EPC URN the ledger keys on.
 */
export function toEpc(input: string, referenceDate = new Date().toISOString().slice(0, 10)): string {
  const text = input.trim();
  if (isEpcUrn(text)) return text;
  const scan = parseScan(text, { referenceDate });
  if (scan.ais['00']) return ssccToEpcUrn(scan.ais['00']);
  if (scan.gtin && scan.serial) return sgtinToEpcUrn(scan.gtin, scan.serial);
  throw new DomainError('IDENTIFIER_INVALID', `${JSON.stringify(input)} names neither a serialized pack (01+21) nor a container (00)`, { reason: 'no serial or SSCC' });
}

export function toEpcs(inputs: readonly string[]): string[] {
  if (!inputs.length) throw new DomainError('COMMAND_INVALID', 'name at least one pack or container', { reason: 'empty list' });
  return inputs.map((i) => toEpc(i));
}
