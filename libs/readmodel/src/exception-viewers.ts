import { exceptionGtins, exceptionViewers, type ExceptionRecord, type OrgId } from '@pedigree/domain';
import type { EntityManager } from 'typeorm';

/**
 * The receiving exceptions of an event this read model keeps (exceptionViewers): its receiver's and
 * seller's, and a temperature excursion's for the manufacturer of its products as the registry this
 * read model projected says. Without a viewer (the whole channel's model), every one.
 */
export async function exceptionsVisibleTo(m: EntityManager, exceptions: readonly ExceptionRecord[], viewer?: OrgId): Promise<ExceptionRecord[]> {
  if (viewer === undefined) return [...exceptions];
  const parties = exceptions.filter((x) => x.receiver === viewer || x.seller === viewer);
  const others = exceptions.filter((x) => x.receiver !== viewer && x.seller !== viewer && x.rule === 'temperature_excursion');
  if (!others.length) return parties;
  const gtins = [...new Set(others.flatMap(exceptionGtins))];
  const rows: Array<{ gtin: string; manufacturer: string }> = gtins.length ? await m.query(`SELECT gtin, manufacturer FROM products WHERE gtin = ANY($1::text[])`, [gtins]) : [];
  const manufacturers = new Map(rows.map((r) => [r.gtin, r.manufacturer]));
  const kept = new Set([...parties, ...others.filter((x) => exceptionViewers(x, (g) => manufacturers.get(g)).includes(viewer))]);
  // The event's order, whatever the reason each was kept.
  return exceptions.filter((x) => kept.has(x));
}
