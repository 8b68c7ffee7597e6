/**
 * Public tracking pages of the carriers staff name most often, keyed by the carrier as typed
 * (lower-cased, spaces and dashes dropped). Unknown carriers get no link: the mail then shows the
 * carrier and the number only, rather than a guessed URL.
 */
const TRACKING_PAGES: Partial<Record<string, (number: string) => string>> = {
  dhl: (n) => `https://www.dhl.com/global-en/home/tracking.html?tracking-id=${n}`,
  dhlexpress: (n) => `https://www.dhl.com/global-en/home/tracking.html?tracking-id=${n}`,
  ups: (n) => `https://www.ups.com/track?tracknum=${n}`,
  fedex: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}`,
  usps: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`,
  dpd: (n) => `https://tracking.dpd.de/status/en_US/parcel/${n}`,
  gls: (n) => `https://gls-group.com/track/${n}`,
  hermes: (n) => `https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#${n}`,
  royalmail: (n) => `https://www.royalmail.com/track-your-item#/tracking-results/${n}`,
  postnl: (n) => `https://postnl.nl/tracktrace/?B=${n}`,
};

/** The carrier's tracking page for this parcel, or null when the carrier is not one we know. */
export function trackingUrl(carrier: string, trackingNumber: string): string | null {
  const page = TRACKING_PAGES[carrier.toLowerCase().replace(/[\s_-]+/g, '')];
  const number = trackingNumber.trim();
  return page && number ? page(encodeURIComponent(number)) : null;
}
