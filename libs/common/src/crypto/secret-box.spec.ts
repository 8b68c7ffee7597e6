import { AppConfig, loadConfig, withOverrides } from '@app/config';
import { SecretBox, UnreadableSecretError } from './secret-box';

const key = (fill: number): Buffer => Buffer.alloc(32, fill);
const configWith = (activeKeyId: string, keys: Record<string, Buffer>): AppConfig =>
  withOverrides(loadConfig({}), { encryption: { activeKeyId, keys: new Map(Object.entries(keys)) } });

describe('SecretBox', () => {
  const box = new SecretBox(configWith('k1', { k1: key(1) }));

  it('round-trips and never stores the plaintext', () => {
    const envelope = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(envelope).toMatch(/^v1\.k1\./);
    expect(envelope).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(envelope, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a tampered envelope, another owner, and an unknown key', () => {
    const envelope = box.seal('secret', 'user-1');
    const parts = envelope.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    parts[3] = flipped.toString('base64url');
    expect(() => box.open(parts.join('.'), 'user-1')).toThrow(UnreadableSecretError);
    expect(() => box.open(envelope, 'user-2')).toThrow(UnreadableSecretError);
    expect(() => new SecretBox(configWith('k2', { k2: key(2) })).open(envelope, 'user-1')).toThrow(
      /key "k1" is not configured/,
    );
  });

  it('opens envelopes of a retired key after rotation and reports they need re-sealing', () => {
    const old = box.seal('secret');
    const rotated = new SecretBox(configWith('k2', { k2: key(2), k1: key(1) }));
    expect(rotated.open(old)).toBe('secret');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret'))).toBe(false);
  });
});
