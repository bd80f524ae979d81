import { certificateExpiry, certificateHealth, certificateWarnDays } from './certificate-expiry';

// A self-signed P-256 certificate made for this spec (openssl req -x509 -days 365), valid until 2027-12-01T18:12:36Z.
const PEM = `-----BEGIN CERTIFICATE-----
MIIBvzCCAWWgAwIBAgIUfqiwWm/piSfWF0kzdVHZOGyaNaIwCgYIKoZIzj0EAwIw
NTEPMA0GA1UECwwGY2xpZW50MSIwIAYDVQQDDBlVc2VyMUBhY21lLnBlZGlncmVl
LmxvY2FsMB4XDTI2MTIwMTE4MTIzNloXDTI3MTIwMTE4MTIzNlowNTEPMA0GA1UE
CwwGY2xpZW50MSIwIAYDVQQDDBlVc2VyMUBhY21lLnBlZGlncmVlLmxvY2FsMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEm/MsDqUeA3iEQ0joqqqYEh+bIeLmAmiF
OVrjMLMDuoSw3kgkkvUxzCMUoBtC+N4RcfTmsyjz8fbZleuT8wfspaNTMFEwHQYD
VR0OBBYEFARLO4YNzQjrKZT5mlOj+VRzwtQeMB8GA1UdIwQYMBaAFARLO4YNzQjr
KZT5mlOj+VRzwtQeMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
e/S4zNlCo3diGoaJcT2pVCmlDmmc3Mw4SULSfEylDLsCIQDE5N8eLr3n7ASJmWSx
jZR7+1fdLwzfL+BTZoo014jLhg==
-----END CERTIFICATE-----
`;
const NOT_AFTER = Date.parse('2027-12-01T18:12:36Z');
const at = (daysBefore: number) => new Date(NOT_AFTER - daysBefore * 86_400_000);

describe('certificateExpiry', () => {
  it.each([
    ['a year before', 365, 30, 'valid', 365],
    ['31 days before', 31, 30, 'valid', 31],
    ['exactly at the window', 30, 30, 'expiring', 30],
    ['a day before', 1, 30, 'expiring', 1],
    ['an hour before', 1 / 24, 30, 'expiring', 0],
    ['at notAfter', 0, 30, 'expired', 0],
    ['a day after', -1, 30, 'expired', -1],
    ['a day before, no window', 1, 0, 'valid', 1],
  ] as const)('%s (window %s days): %s', (_label, daysBefore, window, state, daysLeft) => {
    const e = certificateExpiry('User1', PEM, at(daysBefore as number), window);
    expect(e).toMatchObject({ identity: 'User1', state, daysLeft, notAfter: '2027-12-01T18:12:36.000Z' });
    expect(e.subject).toContain('CN=User1@acme.pedigree.local');
  });

  it('refuses what is not a certificate', () => {
    expect(() => certificateExpiry('x', 'not a pem', new Date(), 30)).toThrow();
  });
});

describe('certificateWarnDays', () => {
  it.each([
    [undefined, 30], ['', 30], ['0', 0], ['14', 14],
  ] as const)('PEDIGREE_CERT_WARN_DAYS=%s is %s days', (raw, days) => {
    expect(certificateWarnDays(raw === undefined ? {} : { PEDIGREE_CERT_WARN_DAYS: raw })).toBe(days);
  });

  it.each(['-1', '2.5', 'soon'])('refuses %s', (raw) => {
    expect(() => certificateWarnDays({ PEDIGREE_CERT_WARN_DAYS: raw })).toThrow(/whole number of days/);
  });
});

describe('certificateHealth', () => {
  const of = (daysBefore: number) => certificateExpiry('User1', PEM, at(daysBefore), 30);
  it.each([
    ['all valid', [of(100)], true, undefined],
    ['one inside the window', [of(100), of(10)], true, 'CERTIFICATE_EXPIRING'],
    ['one expired', [of(10), of(-1)], false, 'CERTIFICATE_EXPIRED'],
  ] as const)('%s', (_label, expiries, healthy, reason) => {
    const h = certificateHealth(expiries);
    expect(h.healthy).toBe(healthy);
    expect(h.reason).toBe(reason);
    expect(h.detail).toHaveLength(expiries.length);
  });
});
