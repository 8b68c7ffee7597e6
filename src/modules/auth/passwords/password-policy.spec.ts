import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { passwordProblem } from './password-policy';

describe('password policy', () => {
  it('ships at least 10,000 common passwords', () => {
    const lines = readFileSync(join(__dirname, 'common-passwords.txt'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
  });

  it.each(['password', 'PASSWORD1', '12345678', 'iloveyou', 'qwertyuiop'])('refuses the common %s', (pw) => {
    expect(passwordProblem(pw)).toMatch(/most common/);
  });

  it('refuses short passwords and accepts long ones without truncating', () => {
    expect(passwordProblem('a1b2c3d')).toMatch(/at least 8/);
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('x'.repeat(64) + 'y')).toBeNull();
    expect(passwordProblem('é'.repeat(257))).toMatch(/at most 256/);
  });
});
