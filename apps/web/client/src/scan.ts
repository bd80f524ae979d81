import { gql, pharmacyService } from './api';
import { decodeCanvas, decodeImageFile } from './decode';
import { append, h, notice, onLeave } from './dom';
import { lastDayOf, RULE_LABELS, type InboxException } from './exceptions';

/**
 * The pharmacist's scan screen. Scans arrive three ways: a keyboard-wedge scanner typing into the
 * focused field and ending with Enter, the device camera, or a photo of the pack. The verdict is
 * shown at once and large; a verified, dispensable pack is dispensed with one action.
 */
interface Verification {
  verified: boolean; dispensable: boolean; reasons: string[]; gtin: string | null; serial: string | null;
  productName: string | null; lot: string | null; expiry: string | null; status: string | null;
  verificationFailureReason: string | null; additionalInfo: string | null;
  temperatureExcursions?: TemperatureExcursion[];
  humidityExcursions?: HumidityExcursion[];
}
interface TemperatureExcursion { startAt: string; endAt: string; minutes: number; highestCelsius: number; lowestCelsius: number; source: { kind: string; id: string } | null }
interface HumidityExcursion { startAt: string; endAt: string; minutes: number; highestPercent: number; lowestPercent: number; source: { kind: string; id: string } | null }
/** An open receiving exception holding the pack: why it is held (exceptionsHoldingPack). */
type Hold = Pick<InboxException, 'id' | 'rule' | 'summary' | 'seller' | 'shipmentId' | 'ageBusinessDays' | 'dueAt' | 'timeZone' | 'overdue' | 'escalatedAt'>;
interface ScanRecord { at: Date; scan: string; result: Verification | null; holds: Hold[]; error?: string; dispensed: boolean }

const VERIFY = `mutation($s: String!) { verifyPack(scan: $s) { verified dispensable reasons gtin serial productName lot expiry status verificationFailureReason additionalInfo temperatureExcursions { startAt endAt minutes highestCelsius lowestCelsius source { kind id } } humidityExcursions { startAt endAt minutes highestPercent lowestPercent source { kind id } } } }`;
const HOLDS = `query($e: String!) { exceptionsHoldingPack(epc: $e) { id rule summary seller shipmentId ageBusinessDays dueAt timeZone overdue escalatedAt } }`;
const DISPENSE = `mutation($e: [String!]!, $k: String) { dispensePacks(epcs: $e, idempotencyKey: $k) { transactionId } }`;

export const REASONS: Record<string, string> = {
  NO_MATCH_GTIN_SERIAL: 'Unknown pack: no such product and serial number from the manufacturer',
  NO_MATCH_LOT: 'The lot on the pack does not match the manufacturer\u2019s record',
  NO_MATCH_EXPIRY: 'The expiry on the pack does not match the manufacturer\u2019s record',
  RECALLED: 'This lot is recalled',
  SUSPECT: 'This pack is suspect (quarantined or under investigation)',
  EXPIRED: 'This pack is expired',
  ALREADY_DISPENSED: 'This pack was already dispensed',
  NOT_IN_CUSTODY: 'This pack is not in this pharmacy\u2019s custody',
  POSSIBLE_CLONE: 'Possible clone: this serial was seen elsewhere',
  TEMPERATURE_EXCURSION: 'Temperature excursion: held until the manufacturer decides',
  HUMIDITY_EXCURSION: 'Humidity excursion: held until the manufacturer decides',
};

const SOURCE_NAMES: Record<string, string> = { container: 'in case', shipment: 'in transit, shipment', location: 'at site' };

/** "Temperature excursion: 3 h 0 min, 5–15 °C, 1 Mar 2026 09:59 – 12:59, in case urn:…". */
export function excursionText(x: TemperatureExcursion): string {
  return stretchText('Temperature', `${x.lowestCelsius}–${x.highestCelsius} °C`, x);
}

/** "Humidity excursion: 3 h 0 min, 50–75 % RH, 1 Mar 2026 09:59 – 12:59, at site urn:…". */
export function humidityExcursionText(x: HumidityExcursion): string {
  return stretchText('Humidity', `${x.lowestPercent}–${x.highestPercent} % RH`, x);
}

function stretchText(what: string, values: string, x: Pick<TemperatureExcursion, 'minutes' | 'startAt' | 'endAt' | 'source'>): string {
  const minutes = Math.round(x.minutes);
  const span = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const where = x.source ? `, ${SOURCE_NAMES[x.source.kind] ?? x.source.kind} ${x.source.id}` : '';
  return `${what} excursion: ${span}, ${values}, ${when(x.startAt)} – ${when(x.endAt)}${where}`;
}

/** What the scanner was set to send for the GS separator, when it cannot send the control character. */
const SUBSTITUTE_KEY = 'pedigree.gsSubstitute';
const GS = '\u001d';

export function normaliseScan(raw: string, substitute: string): string {
  let text = raw.replace(/[\r\n]+$/, '');
  if (substitute) text = text.split(substitute).join(GS);
  return text.startsWith(GS) ? `]d2${text.slice(1)}` : text;
}

const records: ScanRecord[] = [];

export function scanPage(): HTMLElement {
  const verdict = h('section', { id: 'verdict', class: 'verdict idle', role: 'status', 'aria-live': 'assertive', 'aria-atomic': 'true' },
    h('p', { class: 'verdict-title' }, 'Ready to scan'));
  const history = h('tbody');
  const input = h('input', {
    id: 'scan-input', class: 'scan-input', name: 'scan', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
    inputmode: 'text', 'aria-describedby': 'scan-help',
  });
  const substitute = h('input', { id: 'gs-substitute', class: 'short', value: sessionStorage.getItem(SUBSTITUTE_KEY) ?? '', maxlength: 8, autocomplete: 'off', placeholder: 'none' });
  substitute.addEventListener('change', () => sessionStorage.setItem(SUBSTITUTE_KEY, substitute.value));

  const submit = async (raw: string, via: string) => {
    const scan = normaliseScan(raw, substitute.value);
    if (!scan.trim()) return;
    input.value = '';
    verdict.className = 'verdict busy';
    verdict.replaceChildren(h('p', { class: 'verdict-title' }, 'Checking…'));
    const record: ScanRecord = { at: new Date(), scan, result: null, holds: [], dispensed: false };
    records.unshift(record);
    try {
      record.result = (await gql<{ verifyPack: Verification }>(pharmacyService(), VERIFY, { s: scan })).verifyPack;
      // A held pack says why: the open exceptions holding it, if a receipt check raised any.
      if (record.result.reasons.includes('SUSPECT')) {
        record.holds = (await gql<{ exceptionsHoldingPack: Hold[] }>(pharmacyService(), HOLDS, { e: scan }).catch(() => ({ exceptionsHoldingPack: [] }))).exceptionsHoldingPack;
      }
    } catch (err) {
      record.error = (err as Error).message; // GraphQL errors carry their code: `CODE: message`
    }
    showVerdict(record, via);
    renderHistory();
    input.focus();
  };

  const showVerdict = (record: ScanRecord, via: string) => {
    const r = record.result;
    const good = !!r && r.verified && r.dispensable && !record.dispensed;
    verdict.className = `verdict ${record.dispensed ? 'done' : good ? 'ok' : 'bad'}`;
    const title = record.dispensed ? 'DISPENSED' : good ? 'VERIFIED — OK TO DISPENSE' : r?.verified ? 'VERIFIED — DO NOT DISPENSE' : 'NOT VERIFIED — DO NOT DISPENSE';
    const reasons = record.error ? [`The scan could not be read: ${record.error}`] : [...(r?.reasons ?? []).map((x) => REASONS[x] ?? x), ...(r?.temperatureExcursions ?? []).map(excursionText), ...(r?.humidityExcursions ?? []).map(humidityExcursionText)];
    const dispense = h('button', { type: 'button', class: 'dispense', id: 'dispense' }, 'Dispense this pack');
    dispense.addEventListener('click', async () => {
      dispense.disabled = true;
      try {
        await gql(pharmacyService(), DISPENSE, { e: [record.scan], k: `web-dispense-${record.scan}` });
        record.dispensed = true;
        showVerdict(record, via);
        renderHistory();
        input.focus();
      } catch (err) {
        dispense.disabled = false;
        verdict.append(notice(`Dispensing failed: ${(err as Error).message}`, 'error'));
      }
    });
    verdict.replaceChildren();
    append(verdict, [
      h('p', { class: 'verdict-title', id: 'verdict-title' }, title),
      reasons.length ? h('ul', { class: 'reasons', 'aria-label': 'Reasons' }, ...reasons.map((x) => h('li', {}, x))) : null,
      record.holds.length ? h('section', { id: 'v-held', class: 'held', 'aria-label': 'Held by an open exception' },
        h('p', { class: 'held-title' }, 'Held by an open receiving exception \u2014 do not dispense until it is closed'),
        h('ul', {}, ...record.holds.map((x) => h('li', { 'data-exception': x.id },
          h('strong', {}, RULE_LABELS[x.rule] ?? x.rule), ` \u2014 ${x.summary}. Raised against ${x.seller}\u2019s shipment ${x.shipmentId}, `,
          `${x.ageBusinessDays} business day${x.ageBusinessDays === 1 ? '' : 's'} ago; `,
          x.overdue ? h('span', { class: 'overdue' }, `overdue since the end of ${lastDayOf(x)}`) : `due by the end of ${lastDayOf(x)}`,
          x.escalatedAt ? h('span', { class: 'overdue' }, ' \u2014 escalated as suspect product') : null)))) : null,
      r ? h('dl', { class: 'facts' },
        h('dt', {}, 'Product'), h('dd', { id: 'v-product' }, r.productName ?? r.gtin ?? '—'),
        h('dt', {}, 'Lot'), h('dd', { id: 'v-lot' }, r.lot ?? '—'),
        h('dt', {}, 'Expiry'), h('dd', { id: 'v-expiry' }, r.expiry ?? '—'),
        h('dt', {}, 'Status'), h('dd', { id: 'v-status' }, record.dispensed ? 'dispensed' : r.status ?? '—'),
        h('dt', {}, 'Serial'), h('dd', {}, r.serial ?? '—')) : null,
      good ? dispense : null,
      h('p', { class: 'via' }, `scanned by ${via} at ${record.at.toLocaleTimeString()}`),
    ]);
  };

  const renderHistory = () => {
    history.replaceChildren(...records.map((rec) => h('tr', {},
      h('td', {}, rec.at.toLocaleTimeString()),
      h('td', {}, rec.result?.productName ?? rec.result?.gtin ?? '—'),
      h('td', {}, rec.result?.lot ?? '—'),
      h('td', {}, rec.result?.serial ?? '—'),
      h('td', { class: rec.dispensed ? 'done' : rec.result?.dispensable ? 'ok' : 'bad' },
        rec.dispensed ? 'dispensed' : rec.result?.dispensable ? 'verified' : rec.error ? 'unreadable' : (rec.result?.reasons.join(', ') || 'not dispensable')))));
  };

  // A wedge scanner types like a keyboard; Enter ends the scan. Scanners set to send GS as a key
  // combination send Ctrl+] (the ASCII control for 0x1D), which would otherwise type nothing.
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void submit(input.value, 'scanner');
    } else if (e.key === GS || (e.ctrlKey && (e.key === ']' || e.code === 'BracketRight'))) {
      e.preventDefault();
      const at = input.selectionStart ?? input.value.length;
      input.setRangeText(GS, at, input.selectionEnd ?? at, 'end');
    }
  });

  // Camera: frames drawn to a canvas and decoded a few times a second until a symbol reads.
  const video = h('video', { class: 'camera', playsinline: true, muted: true, 'aria-label': 'Camera preview' });
  const cameraStatus = h('div', { 'aria-live': 'polite' });
  let stream: MediaStream | null = null;
  let timer = 0;
  const stopCamera = () => {
    window.clearInterval(timer);
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    video.hidden = true;
    cameraButton.textContent = 'Scan with camera';
  };
  const cameraButton = h('button', { type: 'button', id: 'camera' }, 'Scan with camera');
  cameraButton.addEventListener('click', async () => {
    if (stream) return stopCamera();
    cameraStatus.replaceChildren();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (err) {
      cameraStatus.append(notice(`No camera: ${(err as Error).message}`, 'error'));
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    cameraButton.textContent = 'Stop camera';
    const canvas = document.createElement('canvas');
    timer = window.setInterval(() => {
      if (!video.videoWidth) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext('2d', { willReadFrequently: true })!.drawImage(video, 0, 0);
      const text = decodeCanvas(canvas);
      if (text) {
        stopCamera();
        void submit(text, 'camera');
      }
    }, 300);
  });
  video.hidden = true;
  onLeave(stopCamera);

  const photo = h('input', { type: 'file', id: 'photo', accept: 'image/*', capture: 'environment' });
  photo.addEventListener('change', async () => {
    const file = photo.files?.[0];
    if (!file) return;
    cameraStatus.replaceChildren(notice('Reading the photo…'));
    const text = await decodeImageFile(file).catch(() => null);
    photo.value = '';
    cameraStatus.replaceChildren();
    if (!text) {
      cameraStatus.append(notice('No GS1 DataMatrix found in that photo. Try closer, flatter and in focus.', 'error'));
      return;
    }
    await submit(text, 'photo');
  });

  renderHistory();
  const page = h('div', { class: 'scan-page' },
    h('h1', {}, 'Verify and dispense'),
    h('form', { class: 'scan-form', onsubmit: ((e: Event) => { e.preventDefault(); void submit(input.value, 'keyboard'); }) as EventListener },
      h('label', { for: 'scan-input' }, 'Scan a pack'),
      input,
      h('p', { id: 'scan-help', class: 'help' }, 'Point the scanner at the pack\u2019s 2D barcode, or type its text and press Enter.'),
      h('div', { class: 'row' },
        h('label', { for: 'gs-substitute' }, 'Scanner sends GS as'), substitute,
        h('button', { type: 'submit' }, 'Verify'))),
    verdict,
    h('div', { class: 'row' }, cameraButton, h('label', { for: 'photo', class: 'button' }, 'Photo of a pack'), photo),
    cameraStatus, video,
    h('section', { 'aria-labelledby': 'session-scans' },
      h('h2', { id: 'session-scans' }, 'This session\u2019s scans'),
      // On a phone the serials make the table wider than the screen: it scrolls, the page does not.
      h('div', { class: 'scroll' }, h('table', { id: 'scan-history' },
        h('thead', {}, h('tr', {}, ...['Time', 'Product', 'Lot', 'Serial', 'Result'].map((c) => h('th', { scope: 'col' }, c)))),
        history))));
  queueMicrotask(() => input.focus());
  return page;
}
