import { scanJsonText } from './json-body';

const scan = (text: string, maxDepth = 64) => scanJsonText(Buffer.from(text), maxDepth);

describe('scanJsonText', () => {
  it('counts nested objects and arrays', () => {
    expect(scan('{"a":[{"b":[1]}]}', 4)).toBeNull();
    expect(scan('{"a":[{"b":[1]}]}', 3)).toBe('too-deep');
    expect(scan('['.repeat(65) + ']'.repeat(65))).toBe('too-deep');
    expect(scan('['.repeat(64) + ']'.repeat(64))).toBeNull();
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    expect(scan(JSON.stringify({ a: '[[[[{{{{', b: '\\"[[[[' }), 1)).toBeNull();
    expect(scan(JSON.stringify(['"[[', '\\']), 1)).toBeNull();
  });

  it('reads multi-byte UTF-8 exactly', () => {
    expect(scan(JSON.stringify({ a: '😀[[[ü' }), 1)).toBeNull();
  });

  it('measures depth, not the number of siblings', () => {
    expect(scan(`[${'[],'.repeat(10_000)}[]]`, 2)).toBeNull();
  });

  it('refuses escapes of unpaired surrogates and keeps pairs and other escapes', () => {
    expect(scan('{"a":"\\ud800"}')).toBe('lone-surrogate');
    expect(scan('{"a":"\\uDFFF x"}')).toBe('lone-surrogate');
    expect(scan('{"a":"\\ud83dx\\ude00"}')).toBe('lone-surrogate');
    expect(scan('{"a":"\\ud83d\\u0041"}')).toBe('lone-surrogate');
    expect(scan('{"a":"\\ud83d')).toBe('lone-surrogate');
    expect(scan('{"a":"\\ud83d\\ude00 \\u00fc \\\\ud800"}')).toBeNull();
    expect(scan(JSON.stringify({ a: '😀 \\ud800' }))).toBeNull();
  });
});
