import { CSV_BOM, csvDocument, csvField, csvRecord, prefersCsv } from '../../src/http/csv';

describe('the CSV writer', () => {
  it('quotes fields with commas, quotes, CR or LF (RFC 4180) and ends records with CRLF', () => {
    expect(csvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere'])).toBe('plain,"a,b","say ""hi""","two\nlines","cr\rhere"\r\n');
    expect(csvRecord([null, undefined, 3, true, ''])).toBe(',,3,true,\r\n');
  });

  it('prefixes cells that a spreadsheet would evaluate with a quote', () => {
    for (const s of ['=1+1', '+47 123', '-2', '@SUM(A1)', '\tTAB', '\rCR']) expect(csvField(s).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('safe = text')).toBe('safe = text');
    // Numbers are data, not text a user typed: a negative number stays a number.
    expect(csvField(-2)).toBe('-2');
  });

  it('writes a BOM and a header row first', () => {
    expect(csvDocument(['a', 'b'], [['1', '2']])).toBe(`${CSV_BOM}a,b\r\n1,2\r\n`);
    expect(Buffer.from(csvDocument(['a'], [])).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('chooses CSV only when Accept prefers text/csv', () => {
    expect(prefersCsv('text/csv')).toBe(true);
    expect(prefersCsv('text/csv;q=0.9, application/json;q=0.5')).toBe(true);
    expect(prefersCsv('application/json, text/csv;q=0.5')).toBe(false);
    expect(prefersCsv('text/csv;q=0')).toBe(false);
    expect(prefersCsv('*/*')).toBe(false);
    expect(prefersCsv(undefined)).toBe(false);
    expect(prefersCsv('text/csv;q=abc')).toBe(false);
  });
});
