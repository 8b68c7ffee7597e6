import { exceedsJsonDepth } from './json-body';

const depthOf = (text: string, max: number) => exceedsJsonDepth(Buffer.from(text), max);

describe('exceedsJsonDepth', () => {
  it('counts nested objects and arrays', () => {
    expect(depthOf('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(depthOf('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(depthOf('['.repeat(65) + ']'.repeat(65), 64)).toBe(true);
    expect(depthOf('['.repeat(64) + ']'.repeat(64), 64)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(depthOf(JSON.stringify({ a: '[[[[{{{{', b: '\\"[[[[' }), 1)).toBe(false);
    expect(depthOf(JSON.stringify(['"[[', '\\']), 1)).toBe(false);
  });

  it('reads multi-byte UTF-8 exactly', () => {
    expect(depthOf(JSON.stringify({ a: '😀[[[ü' }), 1)).toBe(false);
  });

  it('measures depth, not the number of siblings', () => {
    expect(depthOf(`[${'[],'.repeat(10_000)}[]]`, 2)).toBe(false);
  });
});
