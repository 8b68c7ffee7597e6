import { trackingUrl } from './tracking-links';

describe('trackingUrl', () => {
  it('links known carriers however staff typed them, with the number URL-encoded', () => {
    expect(trackingUrl('DHL', 'JD0001')).toBe(
      'https://www.dhl.com/global-en/home/tracking.html?tracking-id=JD0001',
    );
    expect(trackingUrl('Royal Mail', 'A B&c')).toBe(
      'https://www.royalmail.com/track-your-item#/tracking-results/A%20B%26c',
    );
    expect(trackingUrl('dhl-express', '1')).toContain('dhl.com');
  });

  it('gives no link for an unknown carrier or an empty number', () => {
    expect(trackingUrl('Bike courier', 'B1')).toBeNull();
    expect(trackingUrl('UPS', '  ')).toBeNull();
  });
});
