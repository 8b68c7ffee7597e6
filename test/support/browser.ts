import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/*
 * Chromium for the browser e2e tests: Debian's Chromium (scripts/ensure-chromium.sh installs it;
 * playwright-core never downloads one), launched headless with a host map, and a watch on each page
 * that records everything that went wrong on it.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * The host the pages are opened on. Not localhost: Chromium treats localhost as secure and would hide
 * what other hosts get (an https upgrade of every asset). The name resolves to the test API; every
 * other host resolves to nothing, so a request that leaves the origin (a CDN) fails and is reported.
 */
export const BROWSER_HOST = 'shop.test';

/** `http://shop.test:<port>`: the origin of a test API (listening on 127.0.0.1) as the browser sees it. */
export const browserOrigin = (baseUrl: string): string => `http://${BROWSER_HOST}:${new URL(baseUrl).port}`;

/** Headless Chromium whose only resolvable host is BROWSER_HOST (→ 127.0.0.1). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Playwright gives each launch a fresh temporary --user-data-dir and removes it on close.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${BROWSER_HOST} 127.0.0.1, MAP * ~NOTFOUND`,
    ],
  });
}

/**
 * The suite when Chromium is there; a failing test in its place under CI (where it must be there),
 * a skipped one with a line on stderr elsewhere. `specFile`: the spec's __filename, named in that line.
 */
export function describeInChromium(specFile: string, suite: string, body: () => void): void {
  const chromiumMissing = !existsSync(CHROMIUM);
  const underCi = !['', '0', 'false'].includes(process.env.CI ?? '');
  if (chromiumMissing && underCi) {
    describe(suite, () => {
      it('has Chromium (required under CI)', () => {
        throw new Error(`${CHROMIUM} is missing: CI must run scripts/ensure-chromium.sh first`);
      });
    });
  } else if (chromiumMissing) {
    // Jest does not name a skipped file: say why here (console.* would add a stack location).
    process.stderr.write(
      `${basename(specFile)} SKIPPED: ${CHROMIUM} not found (install it: sudo bash scripts/ensure-chromium.sh)\n`,
    );
    describe.skip(suite, () => {
      it('needs Chromium', () => undefined);
    });
  } else {
    describe(suite, body);
  }
}

export interface Watched {
  /** Failed requests, console errors and warnings, page errors, CSP violations (as the page sees them). */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
  /** URLs answered 404 (Chromium logs each as a console error). */
  notFound: string[];
}

/**
 * Records everything that went wrong on a page, and what it requested. `mayFail`: requests whose
 * failure is expected (an event stream cut when the page closes); any other failure is a problem.
 */
export async function watch(page: Page, mayFail: (url: string) => boolean = () => false): Promise<Watched> {
  const watched: Watched = { problems: [], requests: [], notFound: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      watched.problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${error.message}`));
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('response', (response) => {
    if (response.status() === 404) watched.notFound.push(response.url());
  });
  page.on('requestfailed', (request) => {
    if (!mayFail(request.url()))
      watched.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  await page.exposeFunction('reportCspViolation', (violation: string) =>
    watched.problems.push(`CSP violation: ${violation}`),
  );
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) =>
      window.reportCspViolation(event.effectiveDirective + ' blocked ' + event.blockedURI));`,
  });
  return watched;
}
