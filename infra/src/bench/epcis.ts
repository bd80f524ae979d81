import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import {
  commissionEvent, computeEventHashId, contextNamespaces, EpcisXmlReader, packEvent, sgtinToEpcUrn, shipEvent, validateEpcisDocument, validateEpcisEvent,
  writeEpcisXml, xmlHashOptions, EPCIS_CONTEXT,
} from '@pedigree/domain';

/**
 * `npm run bench:epcis [-- --events N]`: the EPCIS capture front end WITHOUT the ledger — parse,
 * validate (generic + DSCSA profile) and hash (CBV 2.0, reference reading) a 10,000-event
 * document, as EPCIS 1.2 XML through the streaming reader (64 KiB chunks) beside the same events as
 * EPCIS 2.0 JSON-LD (JSON.parse + validateEpcisDocument). Each path runs in its own process so its
 * peak RSS (getrusage maxrss) is its own; the document text is built before timing starts and is
 * part of the RSS of both ("RSS before parse": building it is not the reader's). Prints the machine,
 * a table and one line of JSON.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const EVENTS = arg('--events', 10_000);
const GTIN = '00312345678906';
const FROM = { owner: 'urn:epc:id:pgln:0312345.00000' };
const TO = { owner: 'urn:epc:id:pgln:0398765.00000' };

/** A DSCSA-shaped document: per case of 10 packs, one commissioning, one packing, every 10th case a shipment. */
function document(events: number): Record<string, unknown> {
  const list: object[] = [];
  const readPoint = 'urn:epc:id:sgln:0312345.00001.0';
  for (let c = 0; list.length < events; c++) {
    const epcs = Array.from({ length: 10 }, (_, i) => sgtinToEpcUrn(GTIN, `S${c}-${i}`));
    const sscc = `urn:epc:id:sscc:0312345.0${String(c).padStart(9, '0')}`;
    const t = new Date(Date.UTC(2026, 0, 1) + c * 60_000).toISOString() as never;
    list.push(commissionEvent({ eventTime: t, readPoint, epcs, lot: 'L1', expiry: '2028-12-31' as never }));
    if (list.length < events) list.push(packEvent({ eventTime: t, readPoint, parent: sscc, children: epcs } as never));
    if (list.length < events && c % 10 === 9) {
      list.push(shipEvent({ eventTime: t, readPoint, epcs: [sscc], from: FROM, to: TO, bizTransactions: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:0398765000006:PO-${c}` }] } as never));
    }
  }
  return {
    '@context': [EPCIS_CONTEXT, { cbvmda: 'urn:epcglobal:cbv:mda' }], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-01-01T00:00:00Z',
    epcisBody: { eventList: list.slice(0, events) },
  };
}

function runPath(which: 'xml' | 'json'): void {
  const doc = document(EVENTS);
  const text = which === 'xml' ? writeEpcisXml(doc, { version: '1.2', indent: '' }) : JSON.stringify(doc);
  const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
  const t0 = performance.now();
  let count = 0;
  let problems = 0;
  if (which === 'xml') {
    // The namespaces the document's root declares (what xmlHashOptions returns after the read).
    const options = xmlHashOptions({ namespaces: contextNamespaces(doc['@context']) });
    const reader = new EpcisXmlReader({
      keepEvents: false,
      onEvent: (event) => {
        problems += validateEpcisEvent(event, { dscsa: true }).length;
        computeEventHashId(event, options);
        count++;
      },
    });
    for (let i = 0; i < text.length; i += 65_536) reader.write(text.slice(i, i + 65_536));
    reader.end();
  } else {
    const parsed = JSON.parse(text) as { '@context': unknown; epcisBody: { eventList: object[] } };
    problems += validateEpcisDocument(parsed, { dscsa: true }).length;
    const options = { namespaces: contextNamespaces(parsed['@context']) };
    for (const e of parsed.epcisBody.eventList) {
      computeEventHashId(e, options);
      count++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ which, events: count, problems, seconds, bytes: Buffer.byteLength(text), rssBeforeMiB, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function main(): void {
  const which = process.argv[process.argv.indexOf('--path') + 1];
  if (process.argv.includes('--path')) return runPath(which as 'xml' | 'json');
  const results = (['xml', 'json'] as const).map((p) => JSON.parse(execFileSync(process.execPath, [__filename, '--path', p, '--events', String(EVENTS)], { encoding: 'utf8' })) as {
    which: string; events: number; problems: number; seconds: number; bytes: number; rssBeforeMiB: number; maxRssMiB: number;
  });
  const cpus = os.cpus();
  const machine = { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version };
  console.log(`machine: ${Object.entries(machine).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  console.log('EPCIS capture front end (parse + validate with DSCSA profile + CBV 2.0 hash), no ledger:');
  console.log('| path | events | document | seconds | events/s | RSS before parse MiB | peak RSS MiB | problems |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const name = r.which === 'xml' ? 'EPCIS 1.2 XML, streaming reader' : 'EPCIS 2.0 JSON-LD, JSON.parse';
    console.log(`| ${name} | ${r.events} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB | ${r.seconds.toFixed(2)} | ${Math.round(r.events / r.seconds)} | ${r.rssBeforeMiB.toFixed(0)} | ${r.maxRssMiB.toFixed(0)} | ${r.problems} |`);
  }
  console.log(JSON.stringify({ bench: 'epcis', machine, results }));
  if (results.some((r) => r.problems > 0 || r.events !== EVENTS)) process.exitCode = 1;
}

main();
