import { LocalEntries } from './catalog.cache';

const body = (text: string) => ({ etag: `"${text.slice(0, 2)}"`, body: text });

describe('LocalEntries', () => {
  it('serves an entry only for the generation it was stored under', () => {
    const local = new LocalEntries(10_000);
    local.set('5', 'a', body('five'));
    expect(local.get('5', 'a')?.body).toBe('five');
    expect(local.get('6', 'a')).toBeUndefined();
    expect(local.get('4', 'a')).toBeUndefined();
  });

  it('drops every copy when a newer generation arrives, and never goes back to an older one', () => {
    const local = new LocalEntries(10_000);
    local.set('5', 'a', body('five'));
    local.set('6', 'b', body('six'));
    expect(local.get('6', 'a')).toBeUndefined();
    local.set('5', 'a', body('stale'));
    expect(local.get('6', 'b')?.body).toBe('six');
    expect(local.get('5', 'a')).toBeUndefined();
  });

  it('stays within its byte budget, evicting the least recently used', () => {
    const local = new LocalEntries(100);
    local.set('1', 'a', body('x'.repeat(30)));
    local.set('1', 'b', body('y'.repeat(30)));
    expect(local.get('1', 'a')).toBeDefined(); // a is now the most recent
    local.set('1', 'c', body('z'.repeat(30)));
    expect(local.get('1', 'b')).toBeUndefined();
    expect(local.get('1', 'a')).toBeDefined();
    expect(local.get('1', 'c')).toBeDefined();
  });

  it('keeps nothing when its budget is zero', () => {
    const local = new LocalEntries(0);
    local.set('1', 'a', body('x'));
    expect(local.get('1', 'a')).toBeUndefined();
  });
});
