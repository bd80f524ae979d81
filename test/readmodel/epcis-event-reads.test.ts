import { DataSource } from 'typeorm';
import { parseEpcisQuery, sgtinToEpcUrn } from '@pedigree/domain';
import { ensureDatabase, EpcisEventReads, readModelDataSourceOptions, type EventOrder, type EventPageRequest } from '@pedigree/readmodel';
import { Postgres, runId } from '../services/support';

/**
 * EpcisEventReads (the REST binding's GET /events) against a real Postgres: pages in record and
 * event-time order (equal times included) cover every match exactly once, a scan out of budget
 * gives short pages yet misses nothing, and only events of what the read model holds are answered.
 */
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const GTIN = '00312345678906';
const epc = (n: number) => sgtinToEpcUrn(GTIN, `S${n}`);
const N = 60;

let pg: Postgres;
let dataSource: DataSource;
let reads: EpcisEventReads;

/** Transaction i records one event about pack i; the read model holds every pack but those divisible by 5. */
beforeAll(async () => {
  pg = await Postgres.start('readmodel-epcis-reads', 5441 + OFFSET);
  const url = pg.databaseUrl(`epcisreads_${runId}`);
  await ensureDatabase(url);
  dataSource = new DataSource(readModelDataSourceOptions(url, { extra: { max: 4 } }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  for (let i = 0; i < N; i++) {
    const tx = `tx${i}`;
    // Every third event shares its eventTime with the one before: the keyset must tell them apart.
    const eventTime = new Date(Date.UTC(2026, 0, 1) + (i - (i % 3 === 2 ? 1 : 0)) * 60_000).toISOString();
    const event = { type: i % 4 === 0 ? 'AggregationEvent' : 'ObjectEvent', action: 'OBSERVE', bizStep: i % 2 ? 'shipping' : 'receiving', eventTime, eventTimeZoneOffset: '+00:00', epcList: [epc(i)], eventID: `urn:uuid:${runId}-${i}` };
    if (i % 5 !== 0) {
      await dataSource.query(`INSERT INTO packs (id, gtin, serial, lot, expiry, status, manufacturer, owner, custodian, version, record, "blockNumber", "transactionId")
        VALUES ($1, $2, $3, 'L1', '2030-01-31', 'commissioned', 'M', 'M', 'M', 1, '{}', 1, $4)`, [epc(i), GTIN, `S${i}`, tx]);
    }
    await dataSource.query(`INSERT INTO epcis_events ("transactionId", idx, event, "recordedAt", "eventTime") VALUES ($1, 0, $2, $3, $4)`, [tx, JSON.stringify(event), new Date(Date.UTC(2026, 1, 1) + (N - i) * 1000), eventTime]);
    await dataSource.query(`INSERT INTO trace_events (subject, step, "occurredAt", "epcisIndex", "blockNumber", "transactionId") VALUES ($1, 'receive', now(), 0, $2, $3)`, [epc(i), i + 1, tx]);
  }
  reads = new EpcisEventReads(dataSource);
}, 120_000);

afterAll(async () => {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await pg?.stop();
});

const visible = (pred: (i: number) => boolean) => Array.from({ length: N }, (_, i) => i).filter((i) => i % 5 !== 0 && pred(i));
const indexOf = (e: Record<string, unknown>) => Number(String(e['eventID']).split('-').pop());

async function all(params: Record<string, string>, request: Omit<EventPageRequest, 'after'>): Promise<{ order: number[]; pages: number[] }> {
  const query = parseEpcisQuery(params);
  const order: number[] = [];
  const pages: number[] = [];
  let after: EventPageRequest['after'];
  for (let guard = 0; guard < 1000; guard++) {
    const page = await reads.page(query, { ...request, ...(after ? { after } : {}) });
    order.push(...page.events.map(indexOf));
    pages.push(page.events.length);
    if (!page.next) return { order, pages };
    after = page.next;
  }
  throw new Error('no last page');
}

describe('EpcisEventReads', () => {
  it.each<[string, Record<string, string>, EventOrder, 'ASC' | 'DESC', (i: number) => boolean, (a: number, b: number) => number]>([
    ['all, record order', {}, 'record', 'ASC', () => true, (a, b) => a - b],
    ['shipping, record order', { EQ_bizStep: 'urn:epcglobal:cbv:bizstep:shipping' }, 'record', 'ASC', (i) => i % 2 === 1, (a, b) => a - b],
    ['ObjectEvents by eventTime descending (equal times)', { eventType: 'ObjectEvent', orderBy: 'eventTime', orderDirection: 'DESC' }, 'eventTime', 'DESC', (i) => i % 4 !== 0, (a, b) => b - a],
    ['by recordTime ascending (the reverse of record order here)', { orderBy: 'recordTime', orderDirection: 'ASC' }, 'recordTime', 'ASC', () => true, (a, b) => b - a],
  ])('%s: every visible match once, in order, across pages of 7', async (_name, params, order, direction, pred, sort) => {
    const { order: got } = await all(params, { limit: 7, order, direction });
    const expected = visible(pred);
    expect([...got].sort((a, b) => a - b)).toEqual(expected);
    // Within equal event times the order is by seq, so compare as a multiset per time bucket plus overall monotonic times.
    if (order === 'eventTime') {
      const minute = (i: number) => i - (i % 3 === 2 ? 1 : 0);
      expect(got.map(minute)).toEqual([...got.map(minute)].sort(sort));
    } else {
      expect(got).toEqual([...expected].sort(sort));
    }
  });

  it('a scan out of budget answers short pages, and still reaches every match (a pattern: no SQL prefilter)', async () => {
    const { order, pages } = await all({ MATCH_anyEPC: `${epc(59)}|urn:epc:idpat:sgtin:9999999.999999.*` }, { limit: 5, order: 'record', direction: 'ASC', batch: 10, scanBudget: 20 });
    expect(order).toEqual([59]);
    expect(pages.length).toBeGreaterThan(1);
  });

  it('answers only events of what the read model holds', async () => {
    const page = await reads.page(parseEpcisQuery({ MATCH_epc: epc(10) }), { limit: 5, order: 'record', direction: 'ASC' });
    expect(page.events).toEqual([]);
    expect((await reads.ofTransaction('tx10'))).toEqual([]);
    expect((await reads.ofTransaction('tx11')).map(indexOf)).toEqual([11]);
  });

  it('sets recordTime from the block time; counts up to a limit; lists distinct vocabulary', async () => {
    const [e] = (await reads.page(parseEpcisQuery({ EQ_eventID: `urn:uuid:${runId}-1` }), { limit: 1, order: 'record', direction: 'ASC' })).events;
    expect(e?.['recordTime']).toBe(new Date(Date.UTC(2026, 1, 1) + (N - 1) * 1000).toISOString());
    expect(await reads.countUpTo(parseEpcisQuery({}), 10)).toBe(10);
    expect(await reads.countUpTo(parseEpcisQuery({ EQ_bizStep: 'shipping' }), 1000)).toBe(visible((i) => i % 2 === 1).length);
    expect(await reads.vocabulary('bizStep', 10)).toEqual({ values: ['receiving', 'shipping'], more: false });
    expect(await reads.vocabulary('bizStep', 1, 'receiving')).toEqual({ values: ['shipping'], more: false });
  });
});
