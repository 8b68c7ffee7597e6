import { buildSearchText, sanitizeDescription } from './rich-text';

describe('rich text', () => {
  it('keeps allowed markup and removes scripts, handlers and javascript: links', () => {
    const clean = sanitizeDescription(
      '<p onclick="x()">Soft <strong>linen</strong><script>alert(1)</script></p><img src=x onerror=alert(1)><a href="javascript:alert(1)">bad</a>',
    );
    expect(clean).toBe('<p>Soft <strong>linen</strong></p><a rel="noopener noreferrer nofollow">bad</a>');
  });

  it('indexes words of neighbouring blocks separately, with the attribute values', () => {
    expect(
      buildSearchText('<ul><li>cotton</li><li>linen</li></ul><p>Made&nbsp;in <b>Porto</b></p>', {
        colour: 'navy',
      }),
    ).toBe('cotton linen Made in Porto navy');
  });
});
