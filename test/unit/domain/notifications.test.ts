import {
  contactAtFiling,
  languageOf,
  mailSubject,
  notificationsFor,
  reminderAt,
  renderTemplate,
  requesterEmailUpdate,
  unknownPlaceholders,
  type ChangeEvent,
  type NotificationCaseFacts,
} from '../../../src/domain/notifications';

const CASE: NotificationCaseFacts = {
  requesterId: 'ola',
  requesterEmail: 'ola@example.org',
  ccEmails: [],
  language: 'nb',
  sensitive: false,
  anonymised: false,
};
type Actor = { id: string; role: string; onBehalfOf: string | null };
const OPERATOR: Actor = { id: 'kari', role: 'operator', onBehalfOf: null };
const REQUESTER: Actor = { id: 'ola', role: 'requester', onBehalfOf: null };
const SYSTEM: Actor = { id: 'system', role: 'system', onBehalfOf: null };

const status = (id: string, to: string, actor = OPERATOR): ChangeEvent => ({ id, type: 'case.status_changed', payload: { to: to as never, actor } });
const message = (id: string, visibility: string, actor = OPERATOR): ChangeEvent => ({
  id,
  type: 'case.message_added',
  payload: { visibility, actor },
});
const kinds = (events: ChangeEvent[], c: Partial<NotificationCaseFacts> = {}) =>
  notificationsFor(events, { ...CASE, ...c }, 'the reply').map((n) => n.kind);

describe('notificationsFor', () => {
  it('sends the receipt on filing and a reply on a public message by staff', () => {
    expect(kinds([{ id: 'e1', type: 'case.created', payload: { actor: REQUESTER } }])).toEqual(['filed']);
    expect(kinds([message('e2', 'public')])).toEqual(['reply']);
  });

  it('sends nothing for internal notes, the requester’s own messages, assignments and edits', () => {
    expect(kinds([message('e1', 'internal')])).toEqual([]);
    expect(kinds([message('e1', 'public', REQUESTER)])).toEqual([]);
    expect(kinds([message('e1', 'public', { ...OPERATOR, onBehalfOf: 'Eks Ternsen' })])).toEqual([]);
    expect(
      kinds([
        { id: 'e1', type: 'case.assigned', payload: { actor: OPERATOR } },
        { id: 'e2', type: 'case.updated', payload: { actor: OPERATOR } },
      ]),
    ).toEqual([]);
  });

  it('folds a reply into the waiting or completed mail of the same change, with its text', () => {
    const out = notificationsFor([message('m', 'public'), status('s', 'WAITING_FOR_USER')], CASE, 'the reply');
    expect(out).toEqual([{ kind: 'waiting', recipient: 'ola@example.org', language: 'nb', eventId: 's', reply: 'the reply' }]);
    expect(kinds([message('m', 'public'), status('s', 'COMPLETED')])).toEqual(['completed']);
  });

  it('mails closed and reopened unless the requester did it themselves', () => {
    expect(kinds([status('s', 'CLOSED', SYSTEM)])).toEqual(['closed']);
    expect(kinds([status('s', 'CLOSED', REQUESTER)])).toEqual([]);
    expect(kinds([status('s', 'CLOSED', { ...OPERATOR, role: 'operator', onBehalfOf: 'Eks' })], { requesterId: null })).toEqual(['closed']);
    expect(kinds([status('s', 'REOPENED_BY_USER', { id: 'kari', role: 'operator', onBehalfOf: 'Eks' })], { requesterId: null })).toEqual([
      'reopened',
    ]);
    expect(kinds([status('s', 'REOPENED_BY_USER', REQUESTER)])).toEqual([]);
    expect(kinds([status('s', 'IN_PROGRESS'), status('s2', 'ON_HOLD')])).toEqual([]);
  });

  it('on a sensitive case sends only the sensitive kind, without the reply', () => {
    const out = notificationsFor([message('m', 'public'), status('s', 'WAITING_FOR_USER')], { ...CASE, sensitive: true }, 'diagnosis');
    expect(out).toEqual([{ kind: 'sensitive', recipient: 'ola@example.org', language: 'nb', eventId: 's', reply: null }]);
  });

  it('mails the requester and each CC once, and nobody without an address or after anonymisation', () => {
    const out = notificationsFor([status('s', 'COMPLETED')], { ...CASE, ccEmails: ['boss@example.org', 'OLA@example.org'], language: 'en' }, null);
    expect(out.map((n) => [n.recipient, n.language])).toEqual([
      ['ola@example.org', 'en'],
      ['boss@example.org', 'en'],
    ]);
    expect(kinds([status('s', 'COMPLETED')], { requesterEmail: null })).toEqual([]);
    expect(kinds([status('s', 'COMPLETED')], { anonymised: true })).toEqual([]);
  });
});

describe('contact and language', () => {
  it('maps locales to nb or en', () => {
    expect(['nb', 'nn-NO', 'no', 'nb_NO', undefined, 'de'].map(languageOf)).toEqual(['nb', 'nb', 'nb', 'nb', 'nb', 'nb']);
    expect(['en', 'en-GB', 'EN_us'].map(languageOf)).toEqual(['en', 'en', 'en']);
  });

  it("takes the caller's address for their own case, the given one for an external requester", () => {
    expect(contactAtFiling({ email: 'ola@example.org', locale: 'en' }, {}, true)).toEqual({ email: 'ola@example.org', language: 'en' });
    expect(contactAtFiling({ email: 'kari@example.org', locale: 'en' }, { externalRequester: { email: 'x@example.org' } }, false)).toEqual({
      email: 'x@example.org',
      language: 'nb',
    });
    expect(contactAtFiling({ email: 'kari@example.org' }, { language: 'en' }, false)).toEqual({ email: null, language: 'en' });
  });

  it('keeps a new address of the requester only when it differs', () => {
    expect(requesterEmailUpdate('ola@example.org', 'OLA@example.org')).toBeNull();
    expect(requesterEmailUpdate('ola@example.org', null)).toBeNull();
    expect(requesterEmailUpdate(null, 'ola@new.example.org')).toBe('ola@new.example.org');
  });
});

describe('templates and reminders', () => {
  const values = {
    caseNumber: '2025-000007',
    subject: 'Lønn',
    status: 'WAITING_FOR_USER' as const,
    dueAt: new Date('2025-03-17T23:00:00Z'),
    link: 'https://x/c/1',
    reply: 'Svar',
  };

  it('fills the placeholders, dates in the case language and zone', () => {
    const text = '{{caseNumber}} {{subject}} {{statusLabel}} {{ dueDate }} {{link}} {{reply}}';
    expect(renderTemplate(text, values, { language: 'nb', sensitive: false, timeZone: 'Europe/Oslo' })).toBe(
      '2025-000007 Lønn Venter på bruker 18. mars 2025 https://x/c/1 Svar',
    );
    expect(renderTemplate('{{dueDate}}', values, { language: 'en', sensitive: false, timeZone: 'Europe/Oslo' })).toBe('18 March 2025');
  });

  it('leaves everything but the number and link empty on a sensitive case', () => {
    expect(
      renderTemplate('{{caseNumber}}|{{subject}}|{{statusLabel}}|{{dueDate}}|{{reply}}|{{link}}', values, {
        language: 'nb',
        sensitive: true,
        timeZone: 'Europe/Oslo',
      }),
    ).toBe('2025-000007|||||https://x/c/1');
  });

  it('names unknown placeholders once', () => {
    expect(unknownPlaceholders('{{caseNumber}} {{name}} {{ name }} {{x}}')).toEqual(['name', 'x']);
    expect(unknownPlaceholders('{{caseNumber}} {{link}}')).toEqual([]);
  });

  it('puts the case token first in the subject', () => {
    expect(mailSubject('2025-000007', 'Hei')).toBe('[Sak 2025-000007] Hei');
  });

  it('reminds days before the due time, never before the wait began', () => {
    const enteredAt = new Date('2025-03-03T09:00:00Z');
    expect(reminderAt({ enteredAt, dueAt: new Date('2025-03-13T23:00:00Z') }, 3)).toEqual(new Date('2025-03-10T23:00:00Z'));
    expect(reminderAt({ enteredAt, dueAt: new Date('2025-03-05T23:00:00Z') }, 3)).toBeNull();
  });
});
