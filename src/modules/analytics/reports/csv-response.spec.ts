import { csvStream, fieldColumns, prefersCsv, snakeCase } from './csv-response';

const text = async (stream: NodeJS.ReadableStream): Promise<string> => {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
};

describe('report CSV', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['text/csv, application/json', false], // a tie: JSON
    ['text/csv;q=0, */*', false],
    ['application/json;q=0.5, text/csv', true],
    ['text/csv', true],
    ['TEXT/CSV; charset=utf-8', true],
    ['text/*', true],
    ['text/csv;q=0.9, */*;q=0.1', true],
    ['text/csv;q=nonsense', false],
  ])('Accept %p prefers CSV: %p', (accept, csv) => {
    expect(prefersCsv(accept)).toBe(csv);
  });

  it('names columns in snake_case and writes a header row, then the rows, with empty nulls', async () => {
    expect(snakeCase('averageOrderValue')).toBe('average_order_value');
    const rows = [
      { period: '2026-03-02', ordersPlaced: 3, note: null as string | null },
      { period: '2026-03-09', ordersPlaced: 0, note: 'a, "quoted" note' },
    ];
    const csv = await text(csvStream(fieldColumns<(typeof rows)[number]>(['period', 'ordersPlaced', 'note']), rows));
    expect(csv).toBe('period,orders_placed,note\n2026-03-02,3,\n2026-03-09,0,"a, ""quoted"" note"\n');
  });

  it('writes the header row even without rows, and defuses spreadsheet formulas (not negative numbers)', async () => {
    expect(await text(csvStream(fieldColumns<{ a: string }>(['a']), []))).toBe('a\n');
    expect(
      await text(
        csvStream(fieldColumns<{ name: string; net: number }>(['name', 'net']), [
          { name: '=HYPERLINK("x")', net: -1000 },
        ]),
      ),
    ).toBe(`name,net\n"'=HYPERLINK(""x"")",-1000\n`);
  });
});
