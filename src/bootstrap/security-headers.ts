import { securityHeaders } from '@app/common';
import { DASHBOARD_PATH } from '../modules/analytics';
import { QUEUE_BOARD_PATH } from './queue-board';
import { DOCS_PATH } from './swagger';

type Headers = Readonly<Record<string, string>>;
interface Csp {
  useDefaults: boolean;
  directives: Record<string, string[] | null>;
}

/** The helmet options used here besides the CSP and HSTS (helmet's long names only). */
interface Options {
  xFrameOptions?: { action: 'deny' | 'sameorigin' };
  crossOriginEmbedderPolicy?: false;
  crossOriginOpenerPolicy?: false;
  crossOriginResourcePolicy?: false;
  originAgentCluster?: false;
  xDnsPrefetchControl?: false;
  xDownloadOptions?: false;
  xPermittedCrossDomainPolicies?: false;
  xXssProtection?: false;
}

/** One kind of response's headers: for a request that came over https, and for one that did not. */
interface ByTransport {
  https: Headers;
  http: Headers;
}

/**
 * HSTS, the CSP's `upgrade-insecure-requests`, Cross-Origin-Opener-Policy and Origin-Agent-Cluster
 * only mean something to a browser on https, so they go only on responses to requests that came
 * over https: TLS at this process, or `X-Forwarded-Proto: https` from a proxy trusted with
 * HTTP_TRUST_PROXY=true (nginx in docker-compose sends it). Over plain http a browser ignores HSTS
 * (RFC 6797 §8.1), COOP and OAC (each with a console message), but obeys upgrade-insecure-requests:
 * every asset of /docs went to https, where nothing answers, and Swagger UI stayed blank on any host
 * but localhost (which Chromium exempts from the upgrade).
 */
function byTransport(csp: Csp, options: Options): ByTransport {
  const noUpgrade: Csp = { ...csp, directives: { ...csp.directives, upgradeInsecureRequests: null } };
  return {
    https: securityHeaders({ ...options, contentSecurityPolicy: csp }),
    http: securityHeaders({
      ...options,
      contentSecurityPolicy: noUpgrade,
      strictTransportSecurity: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
    }),
  };
}

// API responses are JSON: they get the OWASP REST set (HSTS, nosniff, no framing, a CSP under which
// nothing can run, Referrer-Policy: no-referrer). The browser-page headers helmet adds for HTML (COOP,
// CORP, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options, …) mean nothing on JSON and
// were half the bytes of a small response: they are kept for the two HTML consoles only.
// `Cache-Control: no-store` is the default of every API response (tokens, carts, orders, profiles,
// problems): no shared cache may keep one. The catalog's public reads replace it with their own
// public Cache-Control and ETag (catalog/cached-response.ts).
const API = withNoStore(
  byTransport(
    { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    {
      xFrameOptions: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
      crossOriginOpenerPolicy: false,
      crossOriginResourcePolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
    },
  ),
);

function withNoStore(kind: ByTransport): ByTransport {
  return {
    https: { ...kind.https, 'cache-control': 'no-store' },
    http: { ...kind.http, 'cache-control': 'no-store' },
  };
}

// Swagger UI: helmet's page defaults (default-src 'self', …) plus the inline styles and the inline
// bootstrap script of its page, and its data: images.
const DOCS = byTransport(
  {
    useDefaults: true,
    directives: {
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
  { crossOriginEmbedderPolicy: false },
);

// Bull Board: its scripts, styles and images come from its own static route; its page has inline
// styles, and its one stylesheet from elsewhere is the IBM Plex fonts of Google Fonts (the CSS from
// fonts.googleapis.com, the font files from fonts.gstatic.com). Nothing else leaves the origin.
const QUEUE_BOARD = byTransport(
  {
    useDefaults: true,
    directives: {
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
      fontSrc: ["'self'", 'https://fonts.gstatic.com'],
      imgSrc: ["'self'", 'data:'],
    },
  },
  { crossOriginEmbedderPolicy: false },
);

// The staff dashboard: everything from its own origin, nothing inline. Its script and stylesheet are
// bundled files (no CDN); Chart.js sizes its canvas through the CSSOM (element.style), which style-src
// does not govern, and the chart box's height is in the stylesheet: no 'unsafe-inline' for either.
// connect-src 'self' covers the API calls and the event stream; img-src data: only the empty favicon.
const DASHBOARD = byTransport(
  {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      upgradeInsecureRequests: [],
    },
  },
  { xFrameOptions: { action: 'deny' }, crossOriginEmbedderPolicy: false },
);

/** The dashboard's page (`/admin/dashboard`, with or without a slash) and its assets, not a longer name. */
const isDashboard = (url: string): boolean =>
  url.startsWith(DASHBOARD_PATH) &&
  (url.length === DASHBOARD_PATH.length || '/?'.includes(url[DASHBOARD_PATH.length]));

/** Swagger UI's page and assets (`/docs`, `/docs/…`), not the JSON document at `/docs-json`. */
const isDocsPage = (url: string): boolean =>
  url.startsWith(`/${DOCS_PATH}`) &&
  (url.length === DOCS_PATH.length + 1 || '/?'.includes(url[DOCS_PATH.length + 1]));

/**
 * The security headers of a response, precomputed (see `securityHeaders`): the strict JSON set for
 * the API, a page set each for Swagger UI, the queue board and the dashboard; each with the https-only headers when
 * the request came over https.
 */
export function securityHeadersFor(url: string, https: boolean): Headers {
  const kind = url.startsWith(QUEUE_BOARD_PATH)
    ? QUEUE_BOARD
    : isDocsPage(url)
      ? DOCS
      : isDashboard(url)
        ? DASHBOARD
        : API;
  return https ? kind.https : kind.http;
}
