import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core: Playwright's own browser download does not work on
 * these machines. The flags keep Chromium off the (closed) network and out of any shared profile.
 */
export const CHROMIUM = process.env.PEDIGREE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Chromium, installed from Debian's packages when missing and we are root (.ci/run does this
 * before the tests; this covers a developer's `npm test`). Returns why it is unavailable, or null.
 */
export function ensureChromium(): string | null {
  if (fs.existsSync(CHROMIUM)) return null;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', timeout: 600_000 });
    } catch {
      try {
        execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium'], { stdio: 'ignore', timeout: 900_000 });
      } catch { /* reported below */ }
    }
    if (fs.existsSync(CHROMIUM)) return null;
  }
  return `${CHROMIUM} is missing and could not be installed (apt-get install -y chromium needs root)`;
}

export async function launchChromium(): Promise<Browser> {
  // launch() gives every run a fresh temporary profile of its own (it refuses --user-data-dir).
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
