import type { VrsDirectoryEntry, VrsRequest } from '@pedigree/domain';
import { HttpVrsClient, VrsRequestFailure, type VrsFailureCode } from './vrs-client';

/** The requester's HTTP adapter against scripted responders (a fetch that answers from a list). */
const responder: VrsDirectoryEntry = { prefix: '0312345', url: 'https://vrs.acme.example/base', form: 'digital-link' };
const request: VrsRequest = { gtin: '00312345678906', lot: 'L1', serial: 'S/1', expiry: '2030-12-31', reqGLN: '0345678000007', corrUUID: 'c-1', context: 'dscsaSaleableReturn' };
const good = { verificationTimestamp: '2026-12-01T15:00:00Z', responderGLN: '0312345000004', corrUUID: 'c-1', data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot', additionalInfo: 'Recalled' } };

type Step = { status: number; body?: string; headers?: Record<string, string> } | 'refused' | 'hang';

function scripted(steps: Step[]) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string> });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (step === 'refused') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    if (step === 'hang') {
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))));
    }
    return new Response(step.body ?? '', { status: step.status, headers: step.headers });
  }) as unknown as typeof fetch;
  return { calls, client: new HttpVrsClient({ fetch: fetchImpl, timeoutMs: 50, retries: 1, retryDelayMs: 1 }) };
}

const json = (status: number, body: unknown): Step => ({ status, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('HttpVrsClient', () => {
  it('sends the Digital Link form with every parameter and the version header, and reads the answer', async () => {
    const { client, calls } = scripted([json(200, good)]);
    const exchange = await client.verify(responder, request, { headers: { 'x-api-key': 'k' }, presentation: 'vp.jwt.sig' });
    expect(exchange).toEqual({ httpStatus: 200, attempts: 1, response: { ...good, verificationTimestamp: '2026-12-01T15:00:00.000Z' } });
    expect(calls[0].url).toBe('https://vrs.acme.example/base/01/00312345678906/10/L1/21/S%2F1?17=301231&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=0345678000007&corrUUID=c-1');
    expect(calls[0].headers).toMatchObject({ accept: 'application/json', 'GS1US-Version': '1.3.0', 'x-api-key': 'k', 'x-atp-presentation': 'vp.jwt.sig' });
  });

  it('sends the /verify form with exp when the directory says so', async () => {
    const { client, calls } = scripted([json(200, good)]);
    await client.verify({ ...responder, form: 'verify' }, request);
    expect(calls[0].url).toMatch(/\/base\/verify\/gtin\/00312345678906\/lot\/L1\/ser\/S%2F1\?exp=301231&/);
  });

  it('retries once after a 503 and answers what the second attempt got', async () => {
    const { client, calls } = scripted([{ status: 503 }, json(200, good)]);
    expect((await client.verify(responder, request)).attempts).toBe(2);
    expect(calls).toHaveLength(2);
  });

  const failures: Array<[string, Step[], VrsFailureCode, boolean, number]> = [
    ['connection refused, twice', ['refused'], 'VRS_RESPONDER_UNREACHABLE', true, 2],
    ['no answer within the deadline, twice', ['hang'], 'VRS_RESPONDER_TIMEOUT', true, 2],
    ['504, twice (never "verified")', [{ status: 504 }], 'VRS_RESPONDER_TIMEOUT', true, 2],
    ['408, twice', [{ status: 408 }], 'VRS_RESPONDER_TIMEOUT', true, 2],
    ['502, twice', [{ status: 502 }], 'VRS_RESPONDER_UNAVAILABLE', true, 2],
    ['400', [json(400, { error: { message: 'reqGLN is required' } })], 'VRS_REQUEST_REJECTED', false, 1],
    ['401', [json(401, { error: 'who are you' })], 'VRS_REFUSED', false, 1],
    ['403', [{ status: 403 }], 'VRS_REFUSED', false, 1],
    ['404', [{ status: 404 }], 'VRS_GTIN_NOT_FOUND', false, 1],
    ['418', [{ status: 418 }], 'VRS_RESPONSE_MALFORMED', false, 1],
    ['200 with HTML', [{ status: 200, body: '<html>maintenance</html>' }], 'VRS_RESPONSE_MALFORMED', false, 1],
    ['200 answering another corrUUID', [json(200, { ...good, corrUUID: 'c-2' })], 'VRS_RESPONSE_MALFORMED', false, 1],
    ['200 with verified as a string', [json(200, { ...good, data: { verified: 'yes' } })], 'VRS_RESPONSE_MALFORMED', false, 1],
    ['200 with a reason the standard does not have', [json(200, { ...good, data: { verified: false, verificationFailureReason: 'Fake' } })], 'VRS_RESPONSE_MALFORMED', false, 1],
    ['200 with a 1 MB body', [{ status: 200, body: 'x'.repeat(1_000_000) }], 'VRS_RESPONSE_MALFORMED', false, 1],
  ];
  it.each(failures)('%s: %s', async (_name, steps, code, retryable, attempts) => {
    const { client, calls } = scripted(steps);
    const err = await client.verify(responder, request).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VrsRequestFailure);
    expect(err).toMatchObject({ code, retryable, serviceCode: code });
    expect(calls).toHaveLength(attempts);
  });

  it('keeps the responder\'s own words in the failure', async () => {
    const { client } = scripted([json(400, { error: { message: 'reqGLN is required' } })]);
    await expect(client.verify(responder, request)).rejects.toThrow(/malformed: reqGLN is required/);
  });
});
