import { decide, type Actor, type CaseState, type Command, type Context } from '../../../src/domain/decide';
import { DomainError } from '../../../src/domain/errors';
import { STATUSES, type Status } from '../../../src/domain/statuses';
import { TRANSITION_ACTORS, type TransitionActor } from '../../../src/domain/transitions';
import { ALL_STATUSES, EXPECTED_GRAPH } from '../../helpers/expected-graph';

const EXPECTED = EXPECTED_GRAPH;
const ALL = ALL_STATUSES;

const T0 = new Date('2025-03-03T09:00:00Z');
const NOW = new Date('2025-03-05T09:00:00Z');
const NO_WINDOW: Context = { now: NOW, activeWindow: null };
const SUMMER = { id: 'w1', from: '2024-06-01', to: '2024-08-31', reason: 'Summer 2024' };
const IN_SUMMER: Context = { now: new Date('2024-07-01T09:00:00Z'), activeWindow: SUMMER };

const ACTORS: Record<TransitionActor, Actor> = {
  operator: { id: 'kari', as: 'operator' },
  requester: { id: 'ola', as: 'requester' },
  system: { id: 'system', as: 'system' },
};

function state(status: Status, over: Partial<CaseState> = {}): CaseState {
  return { status, assigneeId: 'kari', statusChangedAt: T0, lastPublicReplyAt: null, ...over };
}

/** Runs `fn` and returns the DomainError it throws (fails the test when it does not throw one). */
function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

describe('decide(): the table is the one of DOMAIN.md', () => {
  it('covers exactly the nine statuses and three actors', () => {
    expect([...STATUSES].sort()).toEqual([...ALL].sort());
    expect([...TRANSITION_ACTORS].sort()).toEqual(['operator', 'requester', 'system']);
  });

  // Guards are satisfied (an assignee, a public reply in the request, no suspension window) so
  // only the graph can refuse.
  const cases = TRANSITION_ACTORS.flatMap((who) => ALL.flatMap((from) => ALL.map((to) => ({ who, from, to, ok: EXPECTED[who][from].includes(to) }))));

  it.each(cases)('$who $from → $to: allowed=$ok', ({ who, from, to, ok }) => {
    const cmd: Command = { type: 'transition', to, publicReply: who === 'operator' };
    const run = () => decide(state(from), cmd, ACTORS[who], NO_WINDOW);
    if (ok) {
      const d = run();
      expect(d).not.toBeNull();
      expect(d.status).toBe(to);
      expect(d.statusChanged).toBe(true);
    } else {
      const e = refusal(run);
      expect(e.code).toBe('invalid-transition');
      expect(e.extras.currentStatus).toBe(from);
      expect([...(e.extras.allowed as Status[])].sort()).toEqual([...EXPECTED[who][from]].sort());
    }
  });

  const timerCases = ALL.flatMap((from) => ALL.map((to) => ({ from, to, ok: EXPECTED.system[from].includes(to) })));

  it.each(timerCases)('system timer $from → $to: allowed=$ok', ({ from, to, ok }) => {
    const run = () => decide(state(from), { type: 'timer', from, to }, ACTORS.system, NO_WINDOW);
    if (ok) {
      expect(run()!.status).toBe(to);
    } else {
      expect(refusal(run).code).toBe('invalid-transition');
    }
  });
});

describe('decide(): guards', () => {
  describe('assignee', () => {
    it('refuses ASSIGNED without an assignee (409 assignee-required)', () => {
      const e = refusal(() => decide(state('REGISTERED', { assigneeId: null }), { type: 'transition', to: 'ASSIGNED' }, ACTORS.operator, NO_WINDOW));
      expect(e.code).toBe('assignee-required');
      expect(e.extras.currentStatus).toBe('REGISTERED');
    });

    it('moves to ASSIGNED when the request names the assignee', () => {
      const d = decide(
        state('REGISTERED', { assigneeId: null }),
        { type: 'transition', to: 'ASSIGNED', assigneeId: 'per' },
        ACTORS.operator,
        NO_WINDOW,
      );
      expect(d).toMatchObject({ status: 'ASSIGNED', assigneeId: 'per', assigneeChanged: true, statusChanged: true });
    });

    it('REOPENED_BY_USER → ASSIGNED keeps the assignee the case already has', () => {
      const d = decide(state('REOPENED_BY_USER'), { type: 'transition', to: 'ASSIGNED' }, ACTORS.operator, NO_WINDOW);
      expect(d).toMatchObject({ status: 'ASSIGNED', assigneeId: 'kari', assigneeChanged: false });
    });

    it.each(['REGISTERED', 'ASSIGNED', 'WAITING_FOR_USER', 'ON_HOLD', 'UPDATED_BY_USER', 'COMPLETED', 'REOPENED_BY_USER'] as Status[])(
      'IN_PROGRESS from %s by an operator without assignee assigns the operator',
      (from) => {
        const d = decide(state(from, { assigneeId: null }), { type: 'transition', to: 'IN_PROGRESS' }, ACTORS.operator, NO_WINDOW);
        expect(d).toMatchObject({ status: 'IN_PROGRESS', assigneeId: 'kari', assigneeChanged: true });
      },
    );

    it('IN_PROGRESS keeps an existing assignee', () => {
      const d = decide(state('ON_HOLD', { assigneeId: 'per' }), { type: 'transition', to: 'IN_PROGRESS' }, ACTORS.operator, NO_WINDOW);
      expect(d).toMatchObject({ assigneeId: 'per', assigneeChanged: false });
    });

    it('refuses a requester naming an assignee with a move (403 forbidden)', () => {
      const e = refusal(() => decide(state('IN_PROGRESS'), { type: 'transition', to: 'CLOSED', assigneeId: 'ola' }, ACTORS.requester, NO_WINDOW));
      expect(e.code).toBe('forbidden');
    });
  });

  describe('assign', () => {
    it.each(['REGISTERED', 'REOPENED_BY_USER'] as Status[])('assigning on %s moves the case to ASSIGNED', (from) => {
      const d = decide(state(from, { assigneeId: null }), { type: 'assign', assigneeId: 'per' }, ACTORS.operator, NO_WINDOW);
      expect(d).toMatchObject({ status: 'ASSIGNED', statusChanged: true, assigneeId: 'per', assigneeChanged: true });
    });

    it('assigning a reopened case to its former assignee still moves it to ASSIGNED', () => {
      const d = decide(state('REOPENED_BY_USER'), { type: 'assign', assigneeId: 'kari' }, ACTORS.operator, NO_WINDOW);
      expect(d).toMatchObject({ status: 'ASSIGNED', statusChanged: true, assigneeChanged: false });
    });

    it.each(['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'UPDATED_BY_USER', 'COMPLETED'] as Status[])(
      'reassigning on %s keeps the status',
      (from) => {
        const d = decide(state(from), { type: 'assign', assigneeId: 'per' }, ACTORS.operator, NO_WINDOW);
        expect(d).toMatchObject({ status: from, statusChanged: false, assigneeId: 'per', assigneeChanged: true });
      },
    );

    it.each(['ASSIGNED', 'IN_PROGRESS'] as Status[])('refuses clearing the assignee on %s (409 assignee-required)', (from) => {
      expect(refusal(() => decide(state(from), { type: 'assign', assigneeId: null }, ACTORS.operator, NO_WINDOW)).code).toBe('assignee-required');
    });

    it('refuses assigning a closed case (409 case-closed)', () => {
      expect(refusal(() => decide(state('CLOSED'), { type: 'assign', assigneeId: 'per' }, ACTORS.operator, NO_WINDOW)).code).toBe('case-closed');
    });

    it('refuses a requester assigning (403 forbidden)', () => {
      expect(refusal(() => decide(state('REGISTERED'), { type: 'assign', assigneeId: 'ola' }, ACTORS.requester, NO_WINDOW)).code).toBe('forbidden');
    });
  });

  describe('WAITING_FOR_USER needs a public reply', () => {
    const toWaiting: Command = { type: 'transition', to: 'WAITING_FOR_USER' };

    it('refuses without any reply (409 reply-required)', () => {
      const e = refusal(() => decide(state('IN_PROGRESS'), toWaiting, ACTORS.operator, NO_WINDOW));
      expect(e.code).toBe('reply-required');
      expect(e.extras.currentStatus).toBe('IN_PROGRESS');
    });

    it('accepts a public reply in the same request', () => {
      const d = decide(state('IN_PROGRESS'), { ...toWaiting, publicReply: true }, ACTORS.operator, NO_WINDOW);
      expect(d.status).toBe('WAITING_FOR_USER');
    });

    it('accepts a public reply written since the case entered its status', () => {
      const s = state('IN_PROGRESS', { lastPublicReplyAt: new Date(T0.getTime() + 60_000) });
      expect(decide(s, toWaiting, ACTORS.operator, NO_WINDOW).status).toBe('WAITING_FOR_USER');
    });

    it('does not count a reply written before the case entered its status (409 reply-required)', () => {
      const s = state('ON_HOLD', { lastPublicReplyAt: new Date(T0.getTime() - 1) });
      expect(refusal(() => decide(s, toWaiting, ACTORS.operator, NO_WINDOW)).code).toBe('reply-required');
    });

    it('accepts a public message with setStatus WAITING_FOR_USER', () => {
      const d = decide(state('IN_PROGRESS'), { type: 'message', visibility: 'public', setStatus: 'WAITING_FOR_USER' }, ACTORS.operator, NO_WINDOW);
      expect(d.status).toBe('WAITING_FOR_USER');
    });

    it('refuses an internal note with setStatus WAITING_FOR_USER (409 reply-required)', () => {
      const e = refusal(() =>
        decide(state('IN_PROGRESS'), { type: 'message', visibility: 'internal', setStatus: 'WAITING_FOR_USER' }, ACTORS.operator, NO_WINDOW),
      );
      expect(e.code).toBe('reply-required');
    });
  });

  describe('suspension windows', () => {
    it.each(ALL.filter((s) => EXPECTED.operator[s].includes('WAITING_FOR_USER')))(
      'refuses %s → WAITING_FOR_USER inside a window, even with a reply (409 status-suspended)',
      (from) => {
        const e = refusal(() => decide(state(from), { type: 'transition', to: 'WAITING_FOR_USER', publicReply: true }, ACTORS.operator, IN_SUMMER));
        expect(e.code).toBe('status-suspended');
        expect(e.extras.window).toEqual(SUMMER);
        expect(e.extras.suggestion).toBe('ON_HOLD');
        expect(e.extras.allowed).not.toContain('WAITING_FOR_USER');
        expect([...(e.extras.allowed as Status[])].sort()).toEqual(EXPECTED.operator[from].filter((s) => s !== 'WAITING_FOR_USER').sort());
      },
    );

    it('allows ON_HOLD inside a window', () => {
      expect(decide(state('IN_PROGRESS'), { type: 'transition', to: 'ON_HOLD' }, ACTORS.operator, IN_SUMMER).status).toBe('ON_HOLD');
    });

    it('refuses setStatus WAITING_FOR_USER with a reply inside a window (409 status-suspended)', () => {
      const e = refusal(() =>
        decide(state('IN_PROGRESS'), { type: 'message', visibility: 'public', setStatus: 'WAITING_FOR_USER' }, ACTORS.operator, IN_SUMMER),
      );
      expect(e.code).toBe('status-suspended');
    });

    it('lets the waiting timer complete a case while a window is in force', () => {
      const d = decide(state('WAITING_FOR_USER'), { type: 'timer', from: 'WAITING_FOR_USER', to: 'COMPLETED' }, ACTORS.system, IN_SUMMER);
      expect(d!.status).toBe('COMPLETED');
    });
  });
});

describe('decide(): requester messages', () => {
  const moves: Status[] = ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'ON_HOLD', 'COMPLETED'];
  const stays: Status[] = ['REGISTERED', 'UPDATED_BY_USER', 'REOPENED_BY_USER'];
  const msg: Command = { type: 'message', visibility: 'public' };

  it.each(moves)('a requester message on %s moves the case to UPDATED_BY_USER', (from) => {
    const d = decide(state(from), msg, ACTORS.requester, NO_WINDOW);
    expect(d).toMatchObject({ status: 'UPDATED_BY_USER', statusChanged: true, assigneeChanged: false, timer: null });
  });

  it.each(stays)('a requester message on %s keeps the status', (from) => {
    const d = decide(state(from), msg, ACTORS.requester, NO_WINDOW);
    expect(d).toMatchObject({ status: from, statusChanged: false });
  });

  it('moves, stays and refuses cover all nine statuses', () => {
    expect([...moves, ...stays, 'CLOSED'].sort()).toEqual([...ALL].sort());
  });

  it('refuses a requester message on CLOSED with a hint to reopen (409 case-closed)', () => {
    const e = refusal(() => decide(state('CLOSED'), msg, ACTORS.requester, NO_WINDOW));
    expect(e.code).toBe('case-closed');
    expect(e.extras.currentStatus).toBe('CLOSED');
    expect(e.extras.hint).toBe('reopen');
    expect(e.extras.allowed).toEqual(['REOPENED_BY_USER']);
    expect(e.message).toMatch(/REOPENED_BY_USER/);
  });

  it('refuses a requester message that asks for a status (400 validation-failed)', () => {
    expect(refusal(() => decide(state('IN_PROGRESS'), { ...msg, setStatus: 'COMPLETED' }, ACTORS.requester, NO_WINDOW)).code).toBe(
      'validation-failed',
    );
  });

  it.each(ALL.filter((s) => s !== 'CLOSED'))('an operator note on %s keeps the status', (from) => {
    const d = decide(state(from), { type: 'message', visibility: 'internal' }, ACTORS.operator, NO_WINDOW);
    expect(d).toMatchObject({ status: from, statusChanged: false });
  });

  it('refuses an operator public reply on CLOSED (409 case-closed)', () => {
    expect(refusal(() => decide(state('CLOSED'), { type: 'message', visibility: 'public' }, ACTORS.operator, NO_WINDOW)).code).toBe('case-closed');
  });

  it('refuses an operator message whose setStatus the graph does not allow (409 invalid-transition)', () => {
    const e = refusal(() =>
      decide(state('IN_PROGRESS'), { type: 'message', visibility: 'public', setStatus: 'REGISTERED' }, ACTORS.operator, NO_WINDOW),
    );
    expect(e.code).toBe('invalid-transition');
  });
});

describe('decide(): timers', () => {
  it.each(ALL.filter((s) => s !== 'WAITING_FOR_USER'))('a WAITING_FOR_USER timer is stale once the case is %s (null)', (now) => {
    expect(decide(state(now), { type: 'timer', from: 'WAITING_FOR_USER', to: 'COMPLETED' }, ACTORS.system, NO_WINDOW)).toBeNull();
  });

  it.each(ALL.filter((s) => s !== 'COMPLETED'))('a COMPLETED timer is stale once the case is %s (null)', (now) => {
    expect(decide(state(now), { type: 'timer', from: 'COMPLETED', to: 'CLOSED' }, ACTORS.system, NO_WINDOW)).toBeNull();
  });

  it('a timer command from someone other than the system is void (null)', () => {
    expect(decide(state('COMPLETED'), { type: 'timer', from: 'COMPLETED', to: 'CLOSED' }, ACTORS.operator, NO_WINDOW)).toBeNull();
  });

  it('entering WAITING_FOR_USER schedules the suspendable move to COMPLETED', () => {
    const d = decide(state('IN_PROGRESS'), { type: 'transition', to: 'WAITING_FOR_USER', publicReply: true }, ACTORS.operator, NO_WINDOW);
    expect(d.timer).toEqual({ to: 'COMPLETED', periodKey: 'waitingDays', suspendable: true });
  });

  it('entering COMPLETED schedules the move to CLOSED, not suspendable', () => {
    const d = decide(state('IN_PROGRESS'), { type: 'transition', to: 'COMPLETED' }, ACTORS.operator, NO_WINDOW);
    expect(d.timer).toEqual({ to: 'CLOSED', periodKey: 'completedDays', suspendable: false });
  });

  it.each(['IN_PROGRESS', 'ON_HOLD', 'CLOSED'] as Status[])('entering %s schedules no timer', (to) => {
    const from: Status = to === 'CLOSED' ? 'COMPLETED' : 'WAITING_FOR_USER';
    const actor = to === 'CLOSED' ? ACTORS.requester : ACTORS.operator;
    expect(decide(state(from), { type: 'transition', to }, actor, NO_WINDOW).timer).toBeNull();
  });
});
