import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations';

describe('migration list', () => {
  it('lists every migration file exactly once, in timestamp order', () => {
    const files = readdirSync(join(__dirname, 'migrations'))
      .filter((file) => /^\d+-.+\.ts$/.test(file) && !file.endsWith('.spec.ts'))
      .map((file) => {
        const [timestamp, name] = file.replace(/\.ts$/, '').split('-');
        return `${name}${timestamp}`;
      })
      .sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
    expect(MIGRATIONS.map((migration) => migration.name)).toEqual(files);
  });
});
