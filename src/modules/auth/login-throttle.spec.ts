import { ipBucket, throttleAccount } from './login-throttle';

describe('login throttle keys', () => {
  it('counts IPv4 addresses one by one, and IPv4-mapped IPv6 as IPv4', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const bucket = '2001:0db8:0001:0002::/64';
    expect(ipBucket('2001:db8:1:2::1')).toBe(bucket);
    expect(ipBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(ipBucket('2001:DB8:1:2:0:0:0:9')).toBe(bucket);
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(ipBucket('::1')).toBe('0000:0000:0000:0000::/64');
  });

  it('keys an existing account by its id (every spelling shares one counter), others by address', () => {
    expect(throttleAccount({ id: 'u1' }, 'ALICE@example.com')).toBe('user:u1');
    expect(throttleAccount(null, 'nobody@example.com')).toBe('email:nobody@example.com');
  });
});
