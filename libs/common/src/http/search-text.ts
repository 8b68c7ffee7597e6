/**
 * `@Transform(blankAsAbsent)` on an optional query filter: `?q=` or `?q=%20` (a cleared search box)
 * means no filter, not a filter that matches nothing.
 */
export const blankAsAbsent = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
