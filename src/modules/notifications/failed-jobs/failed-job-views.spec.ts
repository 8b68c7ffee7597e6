import { redactSecrets } from './failed-job-views';

describe('redactSecrets', () => {
  it('replaces every value under a secret-looking key, however deep, and keeps the rest', () => {
    const payload = {
      template: 'verify-email',
      to: 'ann@example.test',
      sealedSecrets: { token: 'v1:abc' },
      nested: [{ apiKey: 'k', password: 'p', keep: 1 }, { headers: { Authorization: 'Bearer x' } }],
    };
    expect(redactSecrets(payload)).toEqual({
      template: 'verify-email',
      to: 'ann@example.test',
      sealedSecrets: '[redacted]',
      nested: [
        { apiKey: '[redacted]', password: '[redacted]', keep: 1 },
        { headers: { Authorization: '[redacted]' } },
      ],
    });
    expect(redactSecrets(null)).toBeNull();
  });

  it('also catches passphrases, cookies and private or access keys, in any spelling', () => {
    const payload = {
      smtp: { pwd: 'p1', passphrase: 'p2', user: 'mailer' },
      request: { headers: { Cookie: 'sid=abc', 'Set-Cookie': 'sid=abc', 'X-Request-Id': 'r1' } },
      keys: [{ privateKey: 'k1', private_key: 'k2', accessKey: 'k3', 'access-key-id': 'AKIA', keyId: 'kid' }],
    };
    expect(redactSecrets(payload)).toEqual({
      smtp: { pwd: '[redacted]', passphrase: '[redacted]', user: 'mailer' },
      request: { headers: { Cookie: '[redacted]', 'Set-Cookie': '[redacted]', 'X-Request-Id': 'r1' } },
      keys: [
        {
          privateKey: '[redacted]',
          private_key: '[redacted]',
          accessKey: '[redacted]',
          'access-key-id': '[redacted]',
          keyId: 'kid',
        },
      ],
    });
  });

  it('redacts whatever lies deeper than it looks', () => {
    let deep: unknown = { password: 'p' };
    for (let i = 0; i < 20; i += 1) deep = { next: deep };
    expect(JSON.stringify(redactSecrets(deep))).not.toContain('"p"');
  });
});
