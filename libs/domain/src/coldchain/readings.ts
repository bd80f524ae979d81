import { canonicalJson } from '../canonical-json';
import { parseSite } from '../consortium/sites';
import { DomainError } from '../errors';
import { sha256Hex } from '../epcis/event-hash';
import type { EpcisEvent, SensorReport } from '../epcis/events';
import { parseTimestamp, toUtcIsoString, type IsoTimestamp } from '../time';
import { assertReadings, type ConditionSource, type ConditionSourceKind, type Reading } from './excursion';

/**
 * Logger readings as they come in (an EPCIS 2.0 sensor report, a logger's CSV export) and the
 * batch an organisation keeps off the ledger: its salted SHA-256 is what the ledger anchors, so
 * either party can later show a stored batch is the one recorded, and nobody reads the readings
 * from the hash.
 */

/** One logger reading: temperature in °C, optionally relative humidity in percent. */
export interface LoggerReading {
  readonly atMs: number;
  readonly celsius: number;
  readonly humidityPercent?: number;
}

export interface ReadingsBatch {
  readonly source: ConditionSource;
  readonly deviceId?: string;
  /** In strictly ascending time. */
  readonly readings: readonly LoggerReading[];
}

/** A 30-day trace at one a minute is 43,200; a year at one a minute is 525,600. */
export const MAX_READINGS_PER_BATCH = 600_000;

export const CONDITION_SOURCE_KINDS: readonly ConditionSourceKind[] = ['container', 'shipment', 'location'];

function invalid(reason: string, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('READINGS_INVALID', message, { reason, ...details });
}

/** The temperature series of a batch, as the excursion arithmetic reads it. */
export function temperatureSeries(batch: Pick<ReadingsBatch, 'readings'>): Reading[] {
  return batch.readings.map((r) => ({ atMs: r.atMs, value: r.celsius }));
}

/** The humidity series of a batch: the readings that report humidity (a logger may report it only some of the time). */
export function humiditySeries(batch: Pick<ReadingsBatch, 'readings'>): Reading[] {
  return batch.readings.flatMap((r) => (r.humidityPercent === undefined ? [] : [{ atMs: r.atMs, value: r.humidityPercent }]));
}

/** Ascending, finite, within the batch limit, plausible as °C; throws READINGS_INVALID naming the reading. */
export function assertLoggerReadings(readings: readonly LoggerReading[]): void {
  if (readings.length === 0) throw invalid('empty', 'a readings batch needs at least one reading');
  if (readings.length > MAX_READINGS_PER_BATCH) throw invalid('too many', `${readings.length} readings in one batch; at most ${MAX_READINGS_PER_BATCH}`);
  assertReadings(temperatureSeries({ readings }));
  readings.forEach((r, i) => {
    if (r.celsius < -100 || r.celsius > 100) throw invalid('implausible temperature', `reading ${i} is ${r.celsius} °C, outside what a pharmaceutical logger reports (-100 to 100 °C)`, { index: i });
    if (r.humidityPercent !== undefined && !(r.humidityPercent >= 0 && r.humidityPercent <= 100)) throw invalid('implausible humidity', `reading ${i} has humidity ${r.humidityPercent} %`, { index: i });
  });
}

/**
 * The salted digest the ledger anchors: SHA-256 over the canonical JSON of the salt, the source,
 * the device and every reading (UTC milliseconds, °C, humidity). The salt (32+ hex digits, kept with
 * the batch) stops anyone who sees the anchor from confirming a guessed trace.
 */
export function readingsBatchSha256(batch: ReadingsBatch, salt: string): string {
  if (!/^[0-9a-f]{32,128}$/.test(salt)) throw invalid('salt malformed', 'the salt must be 32 to 128 lower-case hex digits');
  return sha256Hex(canonicalJson({
    salt, source: { kind: batch.source.kind, id: batch.source.id }, deviceId: batch.deviceId ?? null,
    readings: batch.readings.map((r) => (r.humidityPercent === undefined ? [r.atMs, r.celsius] : [r.atMs, r.celsius, r.humidityPercent])),
  }));
}

/** First and last reading time, as the anchor records them. */
export function batchSpan(batch: Pick<ReadingsBatch, 'readings'>): { firstAt: IsoTimestamp; lastAt: IsoTimestamp } {
  const first = batch.readings[0];
  const last = batch.readings[batch.readings.length - 1];
  if (!first || !last) throw invalid('empty', 'a readings batch needs at least one reading');
  return { firstAt: toUtcIsoString(first.atMs), lastAt: toUtcIsoString(last.atMs) };
}

// --- CSV ------------------------------------------------------------------------------------------

const TIME_COLUMNS = ['time', 'timestamp', 'datetime', 'date_time', 'date/time', 'recorded_at'];
const CELSIUS_COLUMNS = ['temperature', 'temp', 'celsius', 'temperature_c', 'temp_c', 'temperature (°c)', 'temperature(°c)', 'temperature °c', '°c'];
const FAHRENHEIT_COLUMNS = ['fahrenheit', 'temperature_f', 'temp_f', 'temperature (°f)', 'temperature(°f)', '°f'];
const HUMIDITY_COLUMNS = ['humidity', 'rh', 'humidity_pct', 'relative_humidity', 'humidity (%)', 'rh (%)', '%rh'];

/**
 * A logger's CSV export: a header row naming a time column (ISO 8601 with an offset; the domain
 * never guesses a logger's time zone) and a temperature column in °C (or °F, converted), optionally
 * humidity. Comma-separated with a decimal point, or semicolon-separated with a decimal comma, as
 * European loggers write them. Lines starting with `#` and blank lines are skipped; rows must be in
 * ascending time.
 * @throws DomainError READINGS_INVALID naming the line and column.
 */
export function readingsFromCsv(csv: string): LoggerReading[] {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (headerAt < 0) throw invalid('empty', 'the CSV has no header row');
  const header = lines[headerAt] as string;
  const delimiter = header.includes(';') ? ';' : ',';
  const names = splitRow(header, delimiter).map((h) => h.trim().toLowerCase());
  const find = (candidates: readonly string[]) => names.findIndex((n) => candidates.includes(n));
  const time = find(TIME_COLUMNS);
  const celsius = find(CELSIUS_COLUMNS);
  const fahrenheit = find(FAHRENHEIT_COLUMNS);
  const humidity = find(HUMIDITY_COLUMNS);
  if (time < 0) throw invalid('no time column', `the CSV header has no time column (one of ${TIME_COLUMNS.join(', ')})`, { line: headerAt + 1 });
  if (celsius < 0 && fahrenheit < 0) throw invalid('no temperature column', `the CSV header has no temperature column (°C: ${CELSIUS_COLUMNS.join(', ')}; °F: ${FAHRENHEIT_COLUMNS.join(', ')})`, { line: headerAt + 1 });
  const number = (text: string | undefined, line: number, column: string): number => {
    const t = (text ?? '').trim();
    const normal = delimiter === ';' ? t.replace(',', '.') : t;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(normal)) throw invalid('not a number', `line ${line}: ${column} ${JSON.stringify(t)} is not a number`, { line, column });
    return Number(normal);
  };
  const readings: LoggerReading[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const line = i + 1;
    const cells = splitRow(raw, delimiter);
    let atMs: number;
    try {
      atMs = parseTimestamp((cells[time] ?? '').trim(), `line ${line}: time`).epochMs;
    } catch (err) {
      throw invalid('time malformed', err instanceof Error ? err.message : String(err), { line, column: names[time] });
    }
    const c = celsius >= 0 ? number(cells[celsius], line, names[celsius] as string) : ((number(cells[fahrenheit], line, names[fahrenheit] as string) - 32) * 5) / 9;
    const h = humidity >= 0 && (cells[humidity] ?? '').trim() !== '' ? number(cells[humidity], line, names[humidity] as string) : undefined;
    readings.push({ atMs, celsius: c, ...(h === undefined ? {} : { humidityPercent: h }) });
    if (readings.length > MAX_READINGS_PER_BATCH) throw invalid('too many', `more than ${MAX_READINGS_PER_BATCH} readings in one file`, { line });
  }
  try {
    assertLoggerReadings(readings);
  } catch (err) {
    // Name the file's line rather than the reading's index.
    if (err instanceof DomainError && typeof err.details.index === 'number') throw invalid(String(err.details.reason), `${err.message} (data row ${err.details.index + 1})`, { row: err.details.index + 1 });
    throw err;
  }
  return readings;
}

/** One CSV row; double quotes protect delimiters ("" is a quote). */
function splitRow(row: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const ch = row[i] as string;
    if (quoted) {
      if (ch === '"' && row[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

// --- EPCIS 2.0 sensor reports ---------------------------------------------------------------------

const measurement = (type: unknown): string | undefined => (typeof type === 'string' ? type.replace(/^(gs1:|https?:\/\/gs1\.org\/voc\/)/, '') : undefined);

/** °C from a sensor report's value in its UN/CEFACT unit (CEL when absent, FAH, KEL). */
function toCelsius(value: number, uom: string | undefined, where: string): number {
  switch (uom ?? 'CEL') {
    case 'CEL':
      return value;
    case 'FAH':
      return ((value - 32) * 5) / 9;
    case 'KEL':
      return value - 273.15;
    default:
      throw invalid('unit unknown', `${where}: temperature in ${uom}; CEL, FAH or KEL expected`, { at: where });
  }
}

/**
 * The temperature (and humidity) readings of EPCIS 2.0 events' sensorElementList, as the JSON-LD
 * and XML readers both give them: each report's time, else its sensorMetadata time, else the
 * event time; its value, else its meanValue. Humidity joins the temperature reading of the same time.
 * @throws DomainError READINGS_INVALID when no event carries a temperature, or a unit is unknown.
 */
export function readingsFromEpcis(events: readonly EpcisEvent[]): { readings: LoggerReading[]; deviceId?: string } {
  const byTime = new Map<number, { celsius?: number; humidityPercent?: number }>();
  let deviceId: string | undefined;
  events.forEach((event, e) => {
    (event.sensorElementList ?? []).forEach((element, s) => {
      deviceId ??= element.sensorMetadata?.deviceID;
      element.sensorReport.forEach((report: SensorReport, r) => {
        const where = `events[${e}].sensorElementList[${s}].sensorReport[${r}]`;
        const kind = measurement(report.type);
        const value = typeof report.value === 'number' ? report.value : typeof report.meanValue === 'number' ? report.meanValue : undefined;
        if ((kind !== 'Temperature' && kind !== 'RelativeHumidity') || value === undefined) return;
        deviceId ??= typeof report['deviceID'] === 'string' ? (report['deviceID'] as string) : undefined;
        const atMs = parseTimestamp(report.time ?? element.sensorMetadata?.time ?? event.eventTime, `${where}.time`).epochMs;
        const entry = byTime.get(atMs) ?? {};
        if (kind === 'Temperature') entry.celsius = toCelsius(value, report.uom, where);
        else entry.humidityPercent = value;
        byTime.set(atMs, entry);
      });
    });
  });
  const readings = [...byTime.entries()]
    .filter((entry): entry is [number, { celsius: number; humidityPercent?: number }] => entry[1].celsius !== undefined)
    .sort((a, b) => a[0] - b[0])
    .map(([atMs, v]) => ({ atMs, celsius: v.celsius, ...(v.humidityPercent === undefined ? {} : { humidityPercent: v.humidityPercent }) }));
  if (readings.length === 0) throw invalid('no temperature', 'no event carries a temperature sensor report (sensorElementList, type gs1:Temperature)');
  assertLoggerReadings(readings);
  return { readings, ...(deviceId ? { deviceId } : {}) };
}

/**
 * The readings of an EPCIS 2.0 document in JSON-LD, as posted or as readEpcisXml gives an XML one
 * (`epcisBody.eventList`); a single event is read as a document of one.
 */
export function readingsFromEpcisDocument(document: unknown): { readings: LoggerReading[]; deviceId?: string } {
  const doc = document as { type?: unknown; epcisBody?: { eventList?: unknown } } | null;
  const list = doc && typeof doc === 'object' && doc.epcisBody && Array.isArray(doc.epcisBody.eventList) ? doc.epcisBody.eventList : doc && typeof doc === 'object' && typeof doc.type === 'string' && doc.type.endsWith('Event') ? [doc] : undefined;
  if (!list) throw invalid('not EPCIS', 'not an EPCIS document (epcisBody.eventList) or event');
  return readingsFromEpcis(list as EpcisEvent[]);
}

/** A source as a command or an upload names it; throws READINGS_INVALID for an unknown kind or an empty id. */
export function parseConditionSource(value: unknown, field = 'source'): ConditionSource {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid('source malformed', `${field} must be { kind, id }`, { field });
  const { kind, id, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) throw invalid('unknown field', `${field}.${Object.keys(rest)[0]} is not a field of a source`, { field: `${field}.${Object.keys(rest)[0]}` });
  if (typeof kind !== 'string' || !(CONDITION_SOURCE_KINDS as readonly string[]).includes(kind)) throw invalid('source kind unknown', `${field}.kind must be one of ${CONDITION_SOURCE_KINDS.join(', ')}`, { field: `${field}.kind` });
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw invalid('source id malformed', `${field}.id must be 1-256 characters (SSCC URN, shipment ID or SGLN URN)`, { field: `${field}.id` });
  if (kind === 'location') return { kind, id: locationId(id, `${field}.id`) };
  return { kind: kind as ConditionSourceKind, id };
}

/**
 * A location as receipts name it (their bizLocation): an SGLN URN, so that a logger uploaded for a
 * site's GLN is the same source as the site the packs were received at.
 */
function locationId(id: string, field: string): string {
  try {
    return parseSite(id).sgln;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    throw invalid('location malformed', `${field} must be a GLN or an SGLN URN: ${e.message}`, { field, cause: e.code });
  }
}
