import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { ConnectionProfile } from './connection-profile';

/** When one of an organisation's certificates stops being valid, and whether that is soon. */
export interface CertificateExpiry {
  /** What the certificate is for: a connection profile's user name, or "tls root". */
  readonly identity: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notAfter: string;
  /** Whole days from now to notAfter (negative once expired). */
  readonly daysLeft: number;
  /** expired: refused now; expiring: inside the warning window, renew it (`npm run consortium -- renew <org>`). */
  readonly state: 'valid' | 'expiring' | 'expired';
}

const DAY_MS = 86_400_000;

export function certificateExpiry(identity: string, pem: string | Buffer, now: Date, warnDays: number): CertificateExpiry {
  const cert = new X509Certificate(pem);
  const notAfter = new Date(cert.validTo);
  const msLeft = notAfter.getTime() - now.getTime();
  const state = msLeft <= 0 ? 'expired' : msLeft <= warnDays * DAY_MS ? 'expiring' : 'valid';
  return {
    identity, subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '),
    notAfter: notAfter.toISOString(), daysLeft: Math.floor(msLeft / DAY_MS), state,
  };
}

/** The warning window in days: PEDIGREE_CERT_WARN_DAYS (default 30), a whole number from 0. */
export function certificateWarnDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PEDIGREE_CERT_WARN_DAYS;
  if (raw === undefined || raw === '') return 30;
  if (!/^\d+$/.test(raw)) throw new Error(`PEDIGREE_CERT_WARN_DAYS must be a whole number of days, got "${raw}"`);
  return Number(raw);
}

/** Every certificate a connection profile names (each user's, and the peer's TLS root), read now so a renewal shows. */
export function profileCertificateExpiries(profile: ConnectionProfile, now: Date, warnDays: number): CertificateExpiry[] {
  return [
    ...Object.entries(profile.users).map(([user, files]) => certificateExpiry(user, fs.readFileSync(files.certificateFile), now, warnDays)),
    certificateExpiry('tls root', fs.readFileSync(profile.tlsRootCertFile), now, warnDays),
  ];
}

/**
 * /health's view of them: unhealthy once any has expired (the ledger refuses it), healthy with the
 * warning code CERTIFICATE_EXPIRING inside the window, so a load balancer keeps the service while
 * its operators are told.
 */
export function certificateHealth(expiries: readonly CertificateExpiry[]): { healthy: boolean; reason?: string; detail: unknown } {
  const detail = expiries.map(({ identity, subject, issuer, notAfter, daysLeft, state }) => ({ identity, subject, issuer, notAfter, daysLeft, state }));
  if (expiries.some((e) => e.state === 'expired')) return { healthy: false, reason: 'CERTIFICATE_EXPIRED', detail };
  if (expiries.some((e) => e.state === 'expiring')) return { healthy: true, reason: 'CERTIFICATE_EXPIRING', detail };
  return { healthy: true, detail };
}
