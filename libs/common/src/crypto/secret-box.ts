import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

export class UnreadableSecretError extends Error {
  constructor(reason: string) {
    super(`Cannot open the sealed secret: ${reason}`);
    this.name = 'UnreadableSecretError';
  }
}

/**
 * Encrypts secrets at rest (TOTP secrets, webhook secrets, secrets in outbox payloads) with
 * AES-256-GCM. The envelope `v1.<keyId>.<iv>.<ciphertext>.<tag>` names its key, so a new key can be
 * rotated in first while the old ones still open what they sealed.
 */
@Injectable()
export class SecretBox {
  constructor(private readonly config: AppConfig) {}

  seal(plaintext: string, associatedData = ''): string {
    const { activeKeyId, keys } = this.config.encryption;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.get(activeKeyId)!, iv);
    cipher.setAAD(Buffer.from(`${activeKeyId}|${associatedData}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, activeKeyId, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** `associatedData` must match what `seal` got: it binds a secret to its owner (e.g. the user id). */
  open(envelope: string, associatedData = ''): string {
    const parts = envelope.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new UnreadableSecretError('not a v1 envelope');
    const [, keyId, iv, ciphertext, tag] = parts;
    const key = this.config.encryption.keys.get(keyId);
    if (!key) throw new UnreadableSecretError(`key "${keyId}" is not configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${keyId}|${associatedData}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new UnreadableSecretError('authentication failed');
    }
  }

  /** True when the envelope was sealed with a key other than the active one (re-seal it). */
  needsRotation(envelope: string): boolean {
    return envelope.split('.')[1] !== this.config.encryption.activeKeyId;
  }
}
