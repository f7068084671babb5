import {
  addressOf,
  attachmentSkip,
  caseReferenceOf,
  caseSubject,
  caseText,
  caseTokenOf,
  classifyMail,
  externalRequesterOf,
  isRequesterAddress,
  TEXT_MAX,
  type InboundMail,
} from '../../../src/domain/mail-intake';

const mail = (over: Partial<Omit<InboundMail, 'headers'>> & { headers?: Record<string, string> } = {}): InboundMail => ({
  from: { address: 'eva@example.org', name: 'Eva' },
  subject: 'Hei',
  references: [],
  ...over,
  headers: new Map(Object.entries(over.headers ?? {})),
});

describe('mail intake rules', () => {
  it('reads the case token of a subject, in either language', () => {
    expect(caseTokenOf('SV: [Sak 2026-000123] Lønn')).toBe('2026-000123');
    expect(caseTokenOf('Re: [case 2026-000042]')).toBe('2026-000042');
    expect(caseTokenOf('Re: [Sak 2026-1000000]')).toBe('2026-1000000');
    expect(caseTokenOf('Re: [Sak 2026-00012]')).toBeNull();
    expect(caseTokenOf('Sak 2026-000123')).toBeNull();
    expect(caseTokenOf('[Sak 26-1]')).toBeNull();
  });

  it('reads our References id and nothing else', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(caseReferenceOf(['abc@example.org', `<case-${id}@saksflyt>`])).toBe(id);
    expect(caseReferenceOf([`case-${id}@elsewhere`])).toBeNull();
  });

  it('classifies auto-replies, bounces and our own mail as ignored', () => {
    expect(classifyMail(mail({ headers: { 'auto-submitted': 'auto-replied' } }), 'x@y')).toEqual({ kind: 'ignore', reason: 'auto-submitted' });
    expect(classifyMail(mail({ headers: { 'auto-submitted': 'No' } }), 'x@y')).toEqual({ kind: 'new-case' });
    expect(classifyMail(mail({ headers: { precedence: 'junk' } }), 'x@y')).toEqual({ kind: 'ignore', reason: 'bulk-precedence' });
    expect(classifyMail(mail({ headers: { 'x-autoreply': 'yes' } }), 'x@y')).toEqual({ kind: 'ignore', reason: 'auto-reply-header' });
    expect(classifyMail(mail({ from: { address: 'saksflyt@uni.no', name: null } }), 'Saksflyt <Saksflyt@uni.no>')).toEqual({
      kind: 'ignore',
      reason: 'own-address',
    });
    expect(classifyMail(mail({ headers: { 'content-type': 'multipart/report; report-type=delivery-status' } }), 'x@y')).toEqual({
      kind: 'ignore',
      reason: 'bounce',
    });
    expect(classifyMail(mail({ from: null }), 'x@y')).toEqual({ kind: 'ignore', reason: 'no-sender' });
  });

  it('prefers the subject token to References for a reply', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(classifyMail(mail({ subject: '[Sak 2026-000001]', references: [`case-${id}@saksflyt`] }), 'x@y')).toEqual({
      kind: 'reply',
      caseNumber: '2026-000001',
      caseId: null,
    });
    expect(classifyMail(mail({ references: [`case-${id}@saksflyt`] }), 'x@y')).toEqual({ kind: 'reply', caseNumber: null, caseId: id });
  });

  it("accepts a reply from the case's requester address or its external requester's, case-insensitively", () => {
    expect(isRequesterAddress('ola@uni.no', { requesterEmail: 'Ola@Uni.no', externalRequester: null })).toBe(true);
    expect(isRequesterAddress('eva@example.org', { requesterEmail: null, externalRequester: { name: 'Eva', email: 'EVA@example.org' } })).toBe(true);
    expect(isRequesterAddress('mallory@example.org', { requesterEmail: 'ola@uni.no', externalRequester: { name: 'Eva' } })).toBe(false);
    expect(isRequesterAddress('ola@uni.no', { requesterEmail: null, externalRequester: null })).toBe(false);
  });

  it('makes a subject, a text and a requester from the mail within the API limits', () => {
    expect(caseSubject('SV: Re: [Sak 2026-000123] Lønn  mangler')).toBe('Lønn mangler');
    expect(caseSubject('  ')).toBe('(no subject)');
    expect(caseSubject('x'.repeat(300))).toHaveLength(200);
    expect(caseText('')).toBe('(no text)');
    const long = caseText('y'.repeat(TEXT_MAX + 10));
    expect(long).toHaveLength(TEXT_MAX);
    expect(long.endsWith('[… truncated]')).toBe(true);
    expect(externalRequesterOf({ address: 'a@b.no', name: null })).toEqual({ name: 'a@b.no', email: 'a@b.no' });
    expect(addressOf('Saksflyt <Saksflyt@Uni.no>')).toBe('saksflyt@uni.no');
    expect(addressOf('not an address')).toBeNull();
  });

  it('keeps attachments under the upload limits only', () => {
    const limits = { maxBytes: 100, types: new Set(['application/pdf']) };
    const pdf = { filename: 'a.pdf', contentType: 'Application/PDF', size: 10, related: false };
    expect(attachmentSkip(pdf, limits)).toBeNull();
    expect(attachmentSkip({ ...pdf, size: 101 }, limits)).toBe('too-large');
    expect(attachmentSkip({ ...pdf, contentType: 'application/zip' }, limits)).toBe('type-not-accepted');
    expect(attachmentSkip({ ...pdf, contentType: 'image/png', related: true }, limits)).toBe('inline-image');
  });
});
