import * as os from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { parseEpcisQuery } from '@pedigree/domain';
import { ensureDatabase, EpcisEventReads, postgresDataDir, readModelDataSourceOptions, startEmbeddedPostgres, type EventPageRequest } from '@pedigree/readmodel';

/**
 * `npm run bench:epcis-query [-- --events N]`: the EPCIS REST binding's GET /events read path
 * (EpcisEventReads: SQL prefilter + visibility + the domain's exact matcher, keyset pages) on an
 * embedded Postgres holding N events (default 50,000; the read model holds 9 packs in 10, so a
 * tenth of the events are not visible). Per query: the first page's latency (p50 / p95 of 20), and
 * paging through every match at perPage 1000 (events/s); the process's peak RSS at the end. No
 * ledger, no HTTP: the repository alone. Prints the machine, a table and one line of JSON.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const EVENTS = arg('--events', 50_000);
const EPC = (i: number | string) => `'urn:epc:id:sgtin:0312345.067890.S' || ${i}`;

async function seed(dataSource: DataSource): Promise<void> {
  await dataSource.query(`INSERT INTO packs (id, gtin, serial, lot, expiry, status, manufacturer, owner, custodian, version, record, "blockNumber", "transactionId")
    SELECT ${EPC('i')}, '00312345678906', 'S' || i, 'L1', '2030-01-31', 'commissioned', 'M', 'M', 'M', 1, '{}', 1, 'tx' || i FROM generate_series(0, $1 - 1) i WHERE i % 10 <> 0`, [EVENTS]);
  await dataSource.query(`INSERT INTO epcis_events ("transactionId", idx, event, "recordedAt", "eventTime")
    SELECT 'tx' || i, 0, jsonb_build_object('type', CASE WHEN i % 4 = 0 THEN 'AggregationEvent' ELSE 'ObjectEvent' END, 'action', 'OBSERVE',
      'bizStep', CASE WHEN i % 2 = 1 THEN 'shipping' ELSE 'receiving' END,
      'eventTime', to_char(timestamp '2026-01-01' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'eventTimeZoneOffset', '+00:00',
      'epcList', jsonb_build_array(${EPC('i')}), 'readPoint', jsonb_build_object('id', 'urn:epc:id:sgln:0312345.00001.' || (i % 50)),
      'eventID', 'urn:uuid:bench-' || i), timestamptz '2026-02-01Z' + i * interval '1 second', timestamptz '2026-01-01Z' + i * interval '1 minute'
    FROM generate_series(0, $1 - 1) i`, [EVENTS]);
  await dataSource.query(`INSERT INTO trace_events (subject, step, "occurredAt", "epcisIndex", "blockNumber", "transactionId")
    SELECT ${EPC('i')}, 'receive', now(), 0, i + 1, 'tx' || i FROM generate_series(0, $1 - 1) i`, [EVENTS]);
  // VACUUM as autovacuum would have: it also moves the GIN index's pending list (50,000 fresh rows) into the index.
  await dataSource.query('VACUUM ANALYZE');
}

const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] as number;

async function main(): Promise<void> {
  const port = 5451 + Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
  const server = await startEmbeddedPostgres(postgresDataDir('bench-epcis-query'), port);
  const url = server.url('pedigree_bench_epcis_query');
  // A fresh database each run: the schema is the current migrations', the rows only the seed's.
  const admin = new Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS pedigree_bench_epcis_query');
  await admin.end();
  await ensureDatabase(url);
  const dataSource = new DataSource(readModelDataSourceOptions(url, { extra: { max: 4 } }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'all' });
    const seeding = Date.now();
    await seed(dataSource);
    const seedMs = Date.now() - seeding;
    const reads = new EpcisEventReads(dataSource);
    const last = EVENTS - 1 - ((EVENTS - 1) % 10 === 0 ? 1 : 0);
    const scenarios: Array<[string, Record<string, string>, Omit<EventPageRequest, 'limit'>?]> = [
      ['no filter', {}],
      ['eventType + EQ_bizStep', { eventType: 'ObjectEvent', EQ_bizStep: 'urn:epcglobal:cbv:bizstep:shipping' }],
      ['MATCH_epc (one pack, exact)', { MATCH_epc: `urn:epc:id:sgtin:0312345.067890.S${last}` }],
      ['EQ_eventID', { EQ_eventID: `urn:uuid:bench-${last}` }],
      ['GE_eventTime (last 1%)', { GE_eventTime: new Date(Date.UTC(2026, 0, 1) + Math.floor(EVENTS * 0.99) * 60_000).toISOString() }],
      ['orderBy eventTime DESC', { orderBy: 'eventTime', orderDirection: 'DESC' }, { order: 'eventTime', direction: 'DESC' }],
      ['EQ_readPoint (2%, matcher only)', { EQ_readPoint: 'urn:epc:id:sgln:0312345.00001.7' }],
    ];
    const rows: Array<Record<string, string | number>> = [];
    for (const [name, params, order] of scenarios) {
      const query = parseEpcisQuery(params);
      const request = { order: 'record' as const, direction: 'ASC' as const, ...order };
      const first: number[] = [];
      let firstCount = 0;
      for (let r = 0; r < 20; r++) {
        const t = process.hrtime.bigint();
        firstCount = (await reads.page(query, { ...request, limit: 30 })).events.length;
        first.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const t = process.hrtime.bigint();
      let total = 0;
      let pages = 0;
      let after: EventPageRequest['after'];
      for (;;) {
        const page = await reads.page(query, { ...request, limit: 1000, ...(after ? { after } : {}) });
        total += page.events.length;
        pages++;
        if (!page.next) break;
        after = page.next;
      }
      const allMs = Number(process.hrtime.bigint() - t) / 1e6;
      rows.push({ query: name, firstPage: firstCount, 'p50 ms': Number(percentile(first, 50).toFixed(1)), 'p95 ms': Number(percentile(first, 95).toFixed(1)), matches: total, pages, 'all ms': Math.round(allMs), 'events/s': Math.round(total / (allMs / 1000)) });
    }
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`GET /events read path (EpcisEventReads), ${EVENTS} events (${EVENTS - Math.ceil(EVENTS / 10)} visible), seeded in ${seedMs} ms; ${os.cpus().length} × ${cpu}, node ${process.version}`);
    console.table(rows);
    console.log(JSON.stringify({ bench: 'epcis-query', events: EVENTS, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), rows }));
  } finally {
    await dataSource.destroy();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
