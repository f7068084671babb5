/**
 * What an uploaded file is, from its bytes rather than the type the client declared: a declared
 * type is a claim, and a file served back as `application/pdf` or `image/png` must be one.
 */

/** Leading bytes of the binary types the service knows. */
const SIGNATURES: ReadonlyArray<{ type: string; magic: ReadonlyArray<readonly number[]> }> = [
  { type: 'application/pdf', magic: [[0x25, 0x50, 0x44, 0x46]] }, // %PDF
  { type: 'image/png', magic: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]] },
  { type: 'image/jpeg', magic: [[0xff, 0xd8, 0xff]] },
  {
    type: 'image/gif',
    magic: [
      [0x47, 0x49, 0x46, 0x38, 0x37, 0x61],
      [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
    ],
  }, // GIF87a, GIF89a
  // A .docx is a ZIP container; its parts are not inspected.
  { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', magic: [[0x50, 0x4b, 0x03, 0x04]] },
  { type: 'application/zip', magic: [[0x50, 0x4b, 0x03, 0x04]] },
  // Executables and other formats that must never pass as something else.
  { type: 'application/x-msdownload', magic: [[0x4d, 0x5a]] }, // MZ
  { type: 'application/x-elf', magic: [[0x7f, 0x45, 0x4c, 0x46]] },
];

function startsWith(data: Buffer, magic: readonly number[]): boolean {
  return data.length >= magic.length && magic.every((b, i) => data[i] === b);
}

/** The known binary types whose signature the bytes carry. */
function sniff(data: Buffer): string[] {
  return SIGNATURES.filter((s) => s.magic.some((m) => startsWith(data, m))).map((s) => s.type);
}

/** Text: valid UTF-8 without NUL or control characters other than tab, line feed, form feed, carriage return. */
function looksLikeText(data: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/**
 * Whether `data` is what `declared` says. A type with a known signature must start with it; a
 * text type must be text and carry no binary signature; any other type (one added through
 * ATTACHMENT_TYPES that this table does not know) must at least not be one of the known binary
 * formats in disguise.
 */
export function contentMatches(declared: string, data: Buffer): boolean {
  const found = sniff(data);
  if (SIGNATURES.some((s) => s.type === declared)) return found.includes(declared);
  if (declared.startsWith('text/')) return found.length === 0 && looksLikeText(data);
  return found.length === 0;
}

/**
 * Bidirectional-text controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) make
 * "invoice‮fdp.exe" display as "invoiceexe.pdf"; other control characters break headers and
 * logs. Both are dropped; path separators and quotes become `_`.
 */
// eslint-disable-next-line no-control-regex
const DROPPED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A stored filename: no path, no quotes, no control or bidi characters, at most 255 characters. */
export function cleanFilename(name: string): string {
  return (
    name
      .replace(/[\\/\r\n"]/g, '_')
      .replace(DROPPED, '')
      .normalize('NFC')
      .slice(0, 255)
      .trim() || 'file'
  );
}
