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
});
