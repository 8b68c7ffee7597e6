import {
  checkUrlShape,
  isForbiddenAddress,
  resolveSafeTarget,
  SsrfRefusedError,
  unmapIpv4,
  type Resolver,
  type SsrfPolicy,
} from './ssrf-guard';

const strict: SsrfPolicy = { allowHttp: false, allowedHosts: [] };
const dev: SsrfPolicy = { allowHttp: true, allowedHosts: ['127.0.0.1', 'localhost'] };
const resolvesTo =
  (...addresses: string[]): Resolver =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '0:0:0:0:0:ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    // Ranges that embed or route to IPv4 through a translator or relay: SIIT (::ffff:0:0:0/96),
    // 6to4 (2002::/16, the IPv4 address in bits 16-48), Teredo (2001::/32), and the 6to4 relay anycast.
    '::ffff:0:7f00:1',
    '::ffff:0:127.0.0.1',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '192.88.99.1',
    // Deprecated site-local (may still be routed inside a site) and discard-only.
    'fec0::1',
    '100::1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '2001:4860:4860::8888',
    '2a00:1450::1',
  ])('lets the public address %s through', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('reads IPv4-mapped IPv6 in both notations', () => {
    expect(unmapIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(unmapIpv4('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(unmapIpv4('2001:db8::1')).toBe('2001:db8::1');
  });

  it.each([
    ['ftp://example.com/hook', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['http://example.com/hook', 'scheme'],
    ['not a url', 'scheme'],
    ['https://user:pw@example.com/hook', 'credentials'],
    ['https://127.0.0.1/hook', 'address'],
    ['https://[::1]/hook', 'address'],
    ['https://10.0.0.1:8443/hook', 'address'],
    ['https://169.254.169.254/latest/meta-data', 'address'],
    ['https://[::ffff:169.254.169.254]/', 'address'],
    ['https://2130706433/', 'address'], // 127.0.0.1 as one number: WHATWG URL normalises it
    ['https://0x7f.1/', 'address'],
    ['https://0177.0.0.1/', 'address'],
    ['https://127.1/', 'address'],
    ['https://[0:0:0:0:0:ffff:127.0.0.1]/', 'address'],
    ['https://[fd00::1]/', 'address'],
    ['https://[fe80::1]/', 'address'],
    ['https://198.18.0.1/', 'address'],
    ['https://[fe80::1%25eth0]/', 'scheme'], // zone ids are not valid in URLs
    ['https://[2002:a9fe:a9fe::]/', 'address'],
  ])('refuses the URL %s (%s) without DNS', (url, reason) => {
    let error: unknown;
    try {
      checkUrlShape(url, strict);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SsrfRefusedError);
    expect((error as SsrfRefusedError).reason).toBe(reason);
  });

  it('accepts http only when allowed, and allow-listed hosts', () => {
    expect(checkUrlShape('https://example.com/hook', strict).hostname).toBe('example.com');
    expect(checkUrlShape('http://127.0.0.1:8080/hook', dev).port).toBe('8080');
  });

  it('refuses a name if ANY of its addresses is forbidden', async () => {
    await expect(
      resolveSafeTarget('https://hooks.example.com/', strict, resolvesTo('93.184.215.14', '10.0.0.7')),
    ).rejects.toMatchObject({ reason: 'address' });
    await expect(
      resolveSafeTarget('https://rebind.example.com/', strict, resolvesTo('::ffff:127.0.0.1')),
    ).rejects.toMatchObject({ reason: 'address' });
    await expect(
      resolveSafeTarget('https://nowhere.example/', strict, () => Promise.reject(new Error('ENOTFOUND'))),
    ).rejects.toMatchObject({ reason: 'unresolvable' });
  });

  it('refuses a name whose lookup hangs, within the resolve timeout', async () => {
    const hanging = () => new Promise<never>(() => undefined);
    await expect(resolveSafeTarget('https://slow.example/', strict, hanging, 50)).rejects.toMatchObject({
      reason: 'unresolvable',
    });
  });

  it('returns the checked address to connect to', async () => {
    await expect(
      resolveSafeTarget('https://hooks.example.com/x', strict, resolvesTo('93.184.215.14')),
    ).resolves.toMatchObject({ address: '93.184.215.14', family: 4 });
  });

  it('the allow-list lets named hosts and addresses through, and nothing else', async () => {
    await expect(
      resolveSafeTarget('http://localhost:1/', dev, resolvesTo('127.0.0.1', '::1')),
    ).resolves.toMatchObject({ address: '127.0.0.1' });
    // Only the names listed: another name resolving to a listed address is refused (DNS rebinding).
    await expect(
      resolveSafeTarget('http://rebind.test:1/', dev, resolvesTo('127.0.0.1')),
    ).rejects.toMatchObject({
      reason: 'address',
    });
    await expect(
      resolveSafeTarget('http://localhost/', strict, resolvesTo('127.0.0.1')),
    ).rejects.toMatchObject({
      reason: 'scheme',
    });
  });
});
