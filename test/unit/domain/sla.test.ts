import { defaultServiceCalendar } from '../../../src/domain/business-calendar';
import { evaluateSla, pausesOf, resolvedAtOf, stintsOf, watchAt, type SlaFacts, type StatusChange } from '../../../src/domain/sla';

// Instants carry explicit Oslo offsets (+01:00 winter, +02:00 summer).
const at = (iso: string): Date => new Date(iso);
const H = 3_600_000;
const cal = defaultServiceCalendar;

function facts(filedAt: string, changes: Array<[string, StatusChange['to']]> = [], extra: Partial<SlaFacts> = {}): SlaFacts {
  return {
    filedAt: at(filedAt),
    firstReplyAt: null,
    statusChanges: changes.map(([a, to]) => ({ at: at(a), to })),
    targets: { firstResponseHours: 8, resolutionHours: 40 },
    ...extra,
  };
}

describe('evaluateSla: due times', () => {
  it('is due Monday 15:00 when filed Friday 15:00 with an 8-working-hour target', () => {
    const s = evaluateSla(facts('2025-03-14T15:00+01:00'), cal, at('2025-03-14T15:30+01:00'));
    expect(s.firstResponse.dueAt).toEqual(at('2025-03-17T15:00+01:00'));
    expect(s.breached).toEqual([]);
    expect(s.paused).toBe(false);
  });

  it('is due after Easter Monday when filed the Wednesday before Easter (Thu, Fri, Mon are holidays)', () => {
    // Easter 2025: Maundy Thursday 17 April … Easter Monday 21 April.
    const s = evaluateSla(facts('2025-04-16T15:00+02:00'), cal, at('2025-04-16T15:00+02:00'));
    expect(s.firstResponse.dueAt).toEqual(at('2025-04-22T15:00+02:00'));
  });

  it('does not count time in WAITING_FOR_USER: the paused working time is given back', () => {
    // Filed Monday 09:00, 1 h used, waits Monday 10:00 → Wednesday 10:00, 39 h remain of 40.
    const f = facts('2025-03-03T09:00+01:00', [
      ['2025-03-03T10:00+01:00', 'WAITING_FOR_USER'],
      ['2025-03-05T10:00+01:00', 'UPDATED_BY_USER'],
    ]);
    const s = evaluateSla(f, cal, at('2025-03-05T11:00+01:00'));
    // Without the pause: Monday 09:00 + 40 h = the next Monday 09:00. With it: Wednesday 10:00
    // + 39 h = Wed 6 + Thu 8 + Fri 8 + Mon 8 + Tue 8 = 38, then 1 h on Wednesday → 09:00.
    expect(s.resolution.dueAt).toEqual(at('2025-03-12T09:00+01:00'));
    expect(s.paused).toBe(false);
  });

  it('does not count time ON_HOLD either, and shows paused with the due time as if resumed now', () => {
    const f = facts('2025-03-03T09:00+01:00', [['2025-03-03T11:00+01:00', 'ON_HOLD']]);
    const s = evaluateSla(f, cal, at('2025-03-04T09:00+01:00'));
    expect(s.paused).toBe(true);
    expect(s.firstResponse.paused).toBe(true);
    // 2 h used before the pause; 6 h from Tuesday 09:00.
    expect(s.firstResponse.dueAt).toEqual(at('2025-03-04T15:00+01:00'));
    expect(s.breached).toEqual([]);
  });

  it('continues one pause across WAITING_FOR_USER → ON_HOLD', () => {
    expect(
      pausesOf([
        { at: at('2025-03-03T10:00+01:00'), to: 'WAITING_FOR_USER' },
        { at: at('2025-03-03T12:00+01:00'), to: 'ON_HOLD' },
        { at: at('2025-03-03T14:00+01:00'), to: 'IN_PROGRESS' },
        { at: at('2025-03-04T10:00+01:00'), to: 'ON_HOLD' },
      ]),
    ).toEqual([
      { from: at('2025-03-03T10:00+01:00'), to: at('2025-03-03T14:00+01:00') },
      { from: at('2025-03-04T10:00+01:00'), to: null },
    ]);
  });
});

describe('evaluateSla: met and breached', () => {
  it('stops first response at the first public reply and measures its working time without pauses', () => {
    const f = facts(
      '2025-03-07T15:00+01:00',
      [
        ['2025-03-10T09:00+01:00', 'ON_HOLD'],
        ['2025-03-10T11:00+01:00', 'IN_PROGRESS'],
      ],
      {
        firstReplyAt: at('2025-03-10T13:00+01:00'),
      },
    );
    const s = evaluateSla(f, cal, at('2025-03-20T12:00+01:00'));
    expect(s.firstResponse.metAt).toEqual(at('2025-03-10T13:00+01:00'));
    // Friday 15–16 (1 h) + Monday 08–09 (1 h) + 11–13 (2 h); 09–11 was on hold.
    expect(s.firstResponse.workingMs).toBe(4 * H);
    expect(s.firstResponse.breached).toBe(false);
    // Due: 2 h before the hold, 6 h from Monday 11:00 → 5 h on Monday, 1 h on Tuesday.
    expect(s.firstResponse.dueAt).toEqual(at('2025-03-11T09:00+01:00'));
  });

  it('breaches a running target once its due time has passed', () => {
    const s = evaluateSla(facts('2025-03-14T15:00+01:00'), cal, at('2025-03-17T15:00+01:00'));
    expect(s.breached).toEqual(['first_response']);
    expect(s.firstResponse.metAt).toBeNull();
  });

  it('breaches a target met late', () => {
    const f = facts('2025-03-14T15:00+01:00', [], { firstReplyAt: at('2025-03-17T15:00:01+01:00') });
    const s = evaluateSla(f, cal, at('2025-03-20T10:00+01:00'));
    expect(s.firstResponse.breached).toBe(true);
    expect(s.firstResponse.workingMs).toBe(8 * H + 1000);
  });

  it('counts a reply exactly at the due time as met', () => {
    const f = facts('2025-03-14T15:00+01:00', [], { firstReplyAt: at('2025-03-17T15:00+01:00') });
    expect(evaluateSla(f, cal, at('2025-03-20T10:00+01:00')).breached).toEqual([]);
  });

  it('resolves at the first COMPLETED; undoing and completing again does not move it', () => {
    const changes: Array<[string, StatusChange['to']]> = [
      ['2025-03-04T10:00+01:00', 'COMPLETED'],
      ['2025-03-04T11:00+01:00', 'IN_PROGRESS'],
      ['2025-03-20T11:00+01:00', 'COMPLETED'],
    ];
    const s = evaluateSla(facts('2025-03-03T09:00+01:00', changes), cal, at('2025-03-25T09:00+01:00'));
    expect(s.resolution.metAt).toEqual(at('2025-03-04T10:00+01:00'));
    expect(s.resolution.workingMs).toBe(9 * H);
    // 9 h to resolution is within 40 h; without a reply, first response (8 h) stopped late.
    expect(s.breached).toEqual(['first_response']);
    expect(resolvedAtOf(changes.map(([a, to]) => ({ at: at(a), to })))).toEqual(at('2025-03-04T10:00+01:00'));
  });

  it('stops first response at resolution when the case was completed without a reply', () => {
    const s = evaluateSla(facts('2025-03-03T09:00+01:00', [['2025-03-03T12:00+01:00', 'COMPLETED']]), cal, at('2025-03-10T09:00+01:00'));
    expect(s.firstResponse.metAt).toEqual(at('2025-03-03T12:00+01:00'));
    expect(s.firstResponse.workingMs).toBe(3 * H);
  });

  it('stops resolution when the requester closes the case before completion', () => {
    const s = evaluateSla(facts('2025-03-03T09:00+01:00', [['2025-03-03T12:00+01:00', 'CLOSED']]), cal, at('2025-03-10T09:00+01:00'));
    expect(s.resolution.metAt).toEqual(at('2025-03-03T12:00+01:00'));
  });

  it('ignores a pause that began after the clock stopped', () => {
    const f = facts('2025-03-03T09:00+01:00', [['2025-03-03T12:00+01:00', 'WAITING_FOR_USER']], {
      firstReplyAt: at('2025-03-03T11:00+01:00'),
    });
    const s = evaluateSla(f, cal, at('2025-03-04T09:00+01:00'));
    expect(s.firstResponse.paused).toBe(false);
    expect(s.firstResponse.workingMs).toBe(2 * H);
    expect(s.firstResponse.dueAt).toEqual(at('2025-03-04T09:00+01:00'));
    expect(s.resolution.paused).toBe(true);
    expect(s.paused).toBe(true);
  });

  it('keeps a breach that happened before a pause began', () => {
    const f = facts('2025-03-14T15:00+01:00', [['2025-03-18T09:00+01:00', 'ON_HOLD']]);
    const s = evaluateSla(f, cal, at('2025-03-19T09:00+01:00'));
    expect(s.firstResponse.paused).toBe(true);
    expect(s.firstResponse.dueAt).toEqual(at('2025-03-17T15:00+01:00'));
    expect(s.breached).toContain('first_response');
  });
});

describe('watchAt', () => {
  const now = at('2025-03-14T15:30+01:00');
  const running = evaluateSla(facts('2025-03-14T15:00+01:00'), cal, now).firstResponse;

  it('watches a running target at its due time', () => {
    expect(watchAt(running, now, false)).toEqual(at('2025-03-17T15:00+01:00'));
  });

  it('does not watch a target whose breach is already recorded', () => {
    expect(watchAt(running, now, true)).toBeNull();
  });

  it('does not watch a paused target whose due time is still ahead', () => {
    const paused = evaluateSla(facts('2025-03-14T15:00+01:00', [['2025-03-14T15:10+01:00', 'ON_HOLD']]), cal, now).firstResponse;
    expect(watchAt(paused, now, false)).toBeNull();
  });

  it('watches a target met late (at its due time) and not one met in time', () => {
    const late = evaluateSla(facts('2025-03-14T15:00+01:00', [], { firstReplyAt: at('2025-03-18T09:00+01:00') }), cal, now).firstResponse;
    const early = evaluateSla(facts('2025-03-14T15:00+01:00', [], { firstReplyAt: at('2025-03-14T15:20+01:00') }), cal, now).firstResponse;
    expect(watchAt(late, now, false)).toEqual(at('2025-03-17T15:00+01:00'));
    expect(watchAt(early, now, false)).toBeNull();
  });
});

describe('stintsOf', () => {
  it('lists REGISTERED from filing, then one stay per status change with its working time', () => {
    const stints = stintsOf(
      at('2025-03-07T15:00+01:00'),
      [
        { at: at('2025-03-10T09:00+01:00'), to: 'IN_PROGRESS' },
        { at: at('2025-03-10T12:00+01:00'), to: 'WAITING_FOR_USER' },
      ],
      cal,
    );
    expect(stints).toEqual([
      // Friday 15–16 and Monday 08–09: 2 working hours over a weekend.
      { status: 'REGISTERED', enteredAt: at('2025-03-07T15:00+01:00'), leftAt: at('2025-03-10T09:00+01:00'), workingMs: 2 * H },
      { status: 'IN_PROGRESS', enteredAt: at('2025-03-10T09:00+01:00'), leftAt: at('2025-03-10T12:00+01:00'), workingMs: 3 * H },
      { status: 'WAITING_FOR_USER', enteredAt: at('2025-03-10T12:00+01:00'), leftAt: null, workingMs: null },
    ]);
  });
});
