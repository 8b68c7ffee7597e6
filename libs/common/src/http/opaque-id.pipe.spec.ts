import { NotFoundError } from '../errors/domain-error';
import { ParseOpaqueIdPipe } from './opaque-id.pipe';

describe('ParseOpaqueIdPipe', () => {
  const pipe = new ParseOpaqueIdPipe();

  it('passes ids of any UUID version and order numbers through', () => {
    for (const id of [
      '0193a5c4-7b1e-7c3a-9f00-1234567890ab',
      '3b241101-e2bb-4255-8caf-4136c566a962',
      'SK-10001',
    ])
      expect(pipe.transform(id)).toBe(id);
  });

  it('answers 404 (not 400) for what cannot be an id, without a lookup', () => {
    for (const id of ['', 'x'.repeat(65), "1' OR '1'='1", '\u0000', '😀', 'a b', 'a/b'])
      expect(() => pipe.transform(id)).toThrow(NotFoundError);
  });
});
