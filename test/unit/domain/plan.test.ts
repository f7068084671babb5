import { decide, type Actor, type CaseState, type Command } from '../../../src/domain/decide';
import { isDomainError } from '../../../src/domain/errors';
import { planFiling } from '../../../src/domain/filing';
import { plan, planReschedule, planVoidTimer, SYSTEM_ACTOR, type ChangeActor, type PlanState, type TimerRules } from '../../../src/domain/plan';
import { peopleOf, planAnonymisation } from '../../../src/domain/retention';
import { STATUSES, type Status } from '../../../src/domain/statuses';
import { isEdge } from '../../../src/domain/transitions';

/**
 * Every status × command through decide() and plan(), with no database: the row update (its
 * stamps), the history rows, the events and the timer. The expectations are written out here,
 * independently of plan(): what each kind of change must write (DOMAIN.md, docs/timers.md).
 */

const NOW = new Date('2025-10-01T10:00:00.000Z');
const EARLIER = new Date('2025-09-20T10:00:00.000Z');
const RULES: TimerRules = { waitingDays: 10, completedDays: 10, timeZone: 'Europe/Oslo', windows: [] };
/** Ten calendar days after NOW in Oslo (no DST change in between). */
const TEN_DAYS_LATER = new Date('2025-10-11T10:00:00.000Z');

const OPERATOR: Actor = { id: 'kari', as: 'operator' };
const OPERATOR_RECORD: ChangeActor = { id: 'kari', role: 'operator', onBehalfOf: null };
const REQUESTER: Actor = { id: 'ola', as: 'requester' };
const REQUESTER_RECORD: ChangeActor = { id: 'ola', role: 'requester', onBehalfOf: null };

/** A case in `status`, unassigned where the status allows it, replied to since it entered it. */
function stateIn(status: Status): PlanState & CaseState {
  const assigned = status !== 'REGISTERED' && status !== 'REOPENED_BY_USER';
  return {
    id: '00000000-0000-4000-8000-000000000001',
    number: '2025-000001',
    status,
    assigneeId: assigned ? 'per' : null,
    version: 7,
    firstResponseAt: null,
    statusChangedAt: EARLIER,
    lastPublicReplyAt: null,
  };
}

/** The stamps a move into `to` writes besides status and statusChangedAt. */
const STAMPS: Partial<Record<Status, Record<string, Date | null>>> = {
  COMPLETED: { completedAt: NOW },
  CLOSED: { closedAt: NOW },
  REOPENED_BY_USER: { closedAt: null },
};
/** The timer a status starts: its target and due time. */
const TIMERS: Partial<Record<Status, { to: Status; dueAt: Date }>> = {
  WAITING_FOR_USER: { to: 'COMPLETED', dueAt: TEN_DAYS_LATER },
  COMPLETED: { to: 'CLOSED', dueAt: TEN_DAYS_LATER },
};

interface Expected {
  update: Record<string, unknown>;
  history: string[];
  events: string[];
  timer: 'keep' | 'drop' | { to: Status; dueAt: Date };
}

/** What a status move from `from` to `to` must write, with an assignee change if any. */
function moveEffects(from: Status, to: Status, opts: { assignee?: string | null; publicReply?: boolean; system?: boolean }): Expected {
  const update: Record<string, unknown> = { updatedAt: NOW };
  const history: string[] = [];
  const events: string[] = [];
  if (opts.assignee !== undefined) {
    update.assigneeId = opts.assignee;
    history.push('assignee');
  }
  if (from !== to) {
    Object.assign(update, { status: to, statusChangedAt: NOW }, STAMPS[to] ?? {});
    history.push('status');
    events.push('case.status_changed');
    // Entering COMPLETED records how the case ended (a timer: answered; staff by default: solved);
    // moving on from COMPLETED or CLOSED to anything but CLOSED clears it.
    if (to === 'COMPLETED') {
      update.resolution = opts.system ? 'answered' : 'solved';
      history.push('resolution');
    } else if ((from === 'COMPLETED' || from === 'CLOSED') && to !== 'CLOSED') {
      update.resolution = null;
    }
  }
  if (opts.assignee !== undefined) events.push('case.assigned');
  if (opts.publicReply) Object.assign(update, { lastPublicReplyAt: NOW, firstResponseAt: NOW });
  const timer = from === to ? 'keep' : (TIMERS[to] ?? 'drop');
  return { update, history, events, timer };
}

interface Cell {
  name: string;
  command: Command;
  actor: Actor;
  record: ChangeActor;
  /** What besides the decision the change carries. */
  extra?: { message?: { id: string; visibility: 'public' | 'internal' }; attachment?: { id: string }; publicReply?: boolean };
  /** The expected effects, or the refusal's code. */
  expect: (s: PlanState) => Expected | string;
}

/** Where a requester's message moves the case to UPDATED_BY_USER (DOMAIN.md). */
const MOVES_TO_UPDATED: readonly Status[] = ['ASSIGNED', 'IN_PROGRESS', 'WAITING_FOR_USER', 'COMPLETED', 'ON_HOLD'];

const MESSAGE_ID = '00000000-0000-4000-8000-0000000000aa';

function cells(from: Status): Cell[] {
  const out: Cell[] = [];
  for (const to of STATUSES) {
    const assignee = to === 'ASSIGNED' && from !== 'ASSIGNED' ? 'siri' : undefined;
    // An operator starting an unassigned case takes it.
    const takes = to === 'IN_PROGRESS' && stateIn(from).assigneeId === null ? 'kari' : undefined;
    const publicReply = to === 'WAITING_FOR_USER';
    out.push({
      name: `operator moves to ${to}`,
      command: { type: 'transition', to, assigneeId: assignee, publicReply },
      actor: OPERATOR,
      record: OPERATOR_RECORD,
      extra: publicReply ? { publicReply, message: { id: MESSAGE_ID, visibility: 'public' } } : undefined,
      expect: () => {
        if (!isEdge('operator', from, to)) return 'invalid-transition';
        const e = moveEffects(from, to, { assignee: assignee ?? takes, publicReply });
        if (publicReply) {
          e.history.unshift('message');
          e.events.unshift('case.message_added');
        }
        return e;
      },
    });
    out.push({
      name: `requester moves to ${to}`,
      command: { type: 'transition', to },
      actor: REQUESTER,
      record: REQUESTER_RECORD,
      expect: () => (isEdge('requester', from, to) ? moveEffects(from, to, {}) : 'invalid-transition'),
    });
  }
  out.push({
    name: 'requester writes a message',
    command: { type: 'message', visibility: 'public' },
    actor: REQUESTER,
    record: REQUESTER_RECORD,
    extra: { message: { id: MESSAGE_ID, visibility: 'public' } },
    expect: () => {
      if (from === 'CLOSED') return 'case-closed';
      const to = MOVES_TO_UPDATED.includes(from) ? 'UPDATED_BY_USER' : from;
      const e = moveEffects(from, to, {});
      return { ...e, history: ['message', ...e.history], events: ['case.message_added', ...e.events] };
    },
  });
  out.push({
    name: 'operator writes an internal note',
    command: { type: 'message', visibility: 'internal' },
    actor: OPERATOR,
    record: OPERATOR_RECORD,
    extra: { message: { id: MESSAGE_ID, visibility: 'internal' } },
    expect: () => ({ update: { updatedAt: NOW }, history: ['message'], events: ['case.message_added'], timer: 'keep' }),
  });
  out.push({
    name: 'operator assigns',
    command: { type: 'assign', assigneeId: 'siri' },
    actor: OPERATOR,
    record: OPERATOR_RECORD,
    expect: () => {
      if (from === 'CLOSED') return 'case-closed';
      const to = from === 'REGISTERED' || from === 'REOPENED_BY_USER' ? 'ASSIGNED' : from;
      return moveEffects(from, to, { assignee: 'siri' });
    },
  });
  out.push({
    name: 'requester attaches a file',
    command: { type: 'attach' },
    actor: REQUESTER,
    record: REQUESTER_RECORD,
    extra: { attachment: { id: MESSAGE_ID } },
    expect: () => {
      if (from === 'CLOSED') return 'case-closed';
      // A requester's file is an answer: it moves the case as their message would.
      const to = MOVES_TO_UPDATED.includes(from) ? 'UPDATED_BY_USER' : from;
      const e = moveEffects(from, to, {});
      return { ...e, history: ['attachment', ...e.history], events: ['case.attachment_added', ...e.events] };
    },
  });
  out.push({
    name: 'operator attaches a file',
    command: { type: 'attach' },
    actor: OPERATOR,
    record: OPERATOR_RECORD,
    extra: { attachment: { id: MESSAGE_ID } },
    expect: () =>
      from === 'CLOSED' ? 'case-closed' : { update: { updatedAt: NOW }, history: ['attachment'], events: ['case.attachment_added'], timer: 'keep' },
  });
  out.push({
    name: 'requester edits',
    command: { type: 'edit' },
    actor: REQUESTER,
    record: REQUESTER_RECORD,
    expect: () => 'forbidden',
  });
  return out;
}

const TABLE = STATUSES.flatMap((status) => cells(status).map((cell) => ({ status, ...cell })));

describe('plan(): every status × command', () => {
  it.each(TABLE.map((c) => [`${c.status}: ${c.name}`, c] as const))('%s', (_name, cell) => {
    const state = stateIn(cell.status);
    const expected = cell.expect(state);
    let decision;
    try {
      decision = decide(state, cell.command as Exclude<Command, { type: 'timer' }>, cell.actor, { now: NOW, activeWindow: null });
    } catch (err) {
      if (!isDomainError(err)) throw err;
      expect(err.code).toBe(expected);
      return;
    }
    expect(typeof expected).toBe('object');
    const exp = expected as Expected;
    const p = plan(state, { decision, ...cell.extra }, cell.record, NOW, RULES);
    expect(p.caseId).toBe(state.id);
    expect(p.actor).toEqual(cell.record);
    expect(p.at).toBe(NOW);
    expect(p.update).toEqual(exp.update);
    expect(p.history.map((h) => h.field)).toEqual(exp.history);
    expect(p.events.map((e) => e.type)).toEqual(exp.events);
    if (exp.timer === 'keep' || exp.timer === 'drop') expect(p.timer).toEqual({ kind: exp.timer });
    else expect(p.timer).toEqual({ kind: 'set', from: decision.status, to: exp.timer.to, enteredAt: NOW, dueAt: exp.timer.dueAt });
    // Every event carries the case as it is after the change, and who did it.
    for (const e of p.events) {
      expect(e.caseId).toBe(state.id);
      expect(e.payload).toMatchObject({
        caseId: state.id,
        number: state.number,
        status: decision.status,
        version: state.version + 1,
        actor: cell.record,
        at: NOW.toISOString(),
      });
    }
  });

  it('covers every status with every kind of command', () => {
    expect(new Set(TABLE.map((c) => c.status))).toEqual(new Set(STATUSES));
    expect(TABLE.length).toBe(STATUSES.length * (STATUSES.length * 2 + 6));
  });
});

describe('plan(): timers', () => {
  it.each(STATUSES.map((s) => [s]))('a timer fires from %s only if the case is still there, as the system', (status) => {
    for (const [from, t] of Object.entries(TIMERS) as Array<[Status, { to: Status }]>) {
      const state = stateIn(status);
      const decision = decide(state, { type: 'timer', from, to: t.to }, { id: 'system', as: 'system' }, { now: NOW, activeWindow: null });
      if (status !== from) {
        expect(decision).toBeNull();
        expect(planVoidTimer(state.id, NOW)).toEqual({
          caseId: state.id,
          actor: SYSTEM_ACTOR,
          at: NOW,
          update: null,
          history: [],
          events: [],
          timer: { kind: 'drop' },
        });
        continue;
      }
      const p = plan(state, { decision, reason: 'timer' }, SYSTEM_ACTOR, NOW, RULES);
      expect(p.update).toEqual(moveEffects(from, t.to, { system: true }).update);
      expect(p.history).toEqual([
        { field: 'status', from, to: t.to, reason: 'timer' },
        ...(t.to === 'COMPLETED' ? [{ field: 'resolution', from: null, to: 'answered', reason: 'timer' }] : []),
      ]);
      expect(p.events).toEqual([
        expect.objectContaining({
          type: 'case.status_changed',
          payload: expect.objectContaining({ from, to: t.to, reason: 'timer', actor: SYSTEM_ACTOR }),
        }),
      ]);
      expect(p.timer).toEqual(
        TIMERS[t.to] ? { kind: 'set', from: t.to, to: TIMERS[t.to]!.to, enteredAt: NOW, dueAt: TEN_DAYS_LATER } : { kind: 'drop' },
      );
    }
  });

  it('a suspension window postpones the due time of WAITING_FOR_USER by its days, not of COMPLETED', () => {
    const windows = [{ from: '2025-10-05', to: '2025-10-07', reason: 'autumn' }];
    const rules = { ...RULES, windows };
    const waiting = plan(
      stateIn('IN_PROGRESS'),
      {
        decision: decide(stateIn('IN_PROGRESS'), { type: 'transition', to: 'WAITING_FOR_USER', publicReply: true }, OPERATOR, {
          now: NOW,
          activeWindow: null,
        }),
        publicReply: true,
      },
      OPERATOR_RECORD,
      NOW,
      rules,
    );
    expect(waiting.timer).toMatchObject({ kind: 'set', dueAt: new Date('2025-10-14T10:00:00.000Z') });
    const completed = plan(
      stateIn('IN_PROGRESS'),
      { decision: decide(stateIn('IN_PROGRESS'), { type: 'transition', to: 'COMPLETED' }, OPERATOR, { now: NOW, activeWindow: null }) },
      OPERATOR_RECORD,
      NOW,
      rules,
    );
    expect(completed.timer).toMatchObject({ kind: 'set', dueAt: TEN_DAYS_LATER });
  });

  it('a reschedule only moves the timer', () => {
    const t = { from: 'WAITING_FOR_USER' as const, to: 'COMPLETED' as const, enteredAt: EARLIER, dueAt: TEN_DAYS_LATER };
    expect(planReschedule('c', t, NOW)).toEqual({
      caseId: 'c',
      actor: SYSTEM_ACTOR,
      at: NOW,
      update: null,
      history: [],
      events: [],
      timer: { kind: 'set', ...t },
    });
  });
});

describe('plan(): edits, replies, filing, anonymisation', () => {
  it('staff edits set their columns, a row each with the reason, and one case.updated naming them', () => {
    const state = stateIn('IN_PROGRESS');
    const decision = decide(state, { type: 'edit' }, OPERATOR, { now: NOW, activeWindow: null });
    const p = plan(
      state,
      {
        decision,
        reason: 'wrong form',
        edits: [
          { field: 'category', from: 'salary', to: 'travel' },
          { field: 'subject', from: 'a', to: 'b' },
        ],
      },
      OPERATOR_RECORD,
      NOW,
      RULES,
    );
    expect(p.update).toEqual({ categoryKey: 'travel', subject: 'b', updatedAt: NOW });
    expect(p.history).toEqual([
      { field: 'category', from: 'salary', to: 'travel', reason: 'wrong form' },
      { field: 'subject', from: 'a', to: 'b', reason: 'wrong form' },
    ]);
    expect(p.events.map((e) => [e.type, e.payload])).toEqual([['case.updated', expect.objectContaining({ fields: ['category', 'subject'] })]]);
    expect(p.timer).toEqual({ kind: 'keep' });
  });

  it('only the first public reply stamps firstResponseAt', () => {
    const state = { ...stateIn('IN_PROGRESS'), firstResponseAt: EARLIER };
    const decision = decide(state, { type: 'message', visibility: 'public' }, OPERATOR, { now: NOW, activeWindow: null });
    const p = plan(state, { decision, publicReply: true, message: { id: MESSAGE_ID, visibility: 'public' } }, OPERATOR_RECORD, NOW, RULES);
    expect(p.update).toEqual({ lastPublicReplyAt: NOW, updatedAt: NOW });
  });

  it('an operator acting for an external requester is recorded with onBehalfOf in history and events', () => {
    const state = stateIn('WAITING_FOR_USER');
    const record = { ...OPERATOR_RECORD, onBehalfOf: 'Eva Ekstern' };
    const decision = decide(state, { type: 'message', visibility: 'public' }, { id: 'kari', as: 'requester' }, { now: NOW, activeWindow: null });
    const p = plan(state, { decision, message: { id: MESSAGE_ID, visibility: 'public' } }, record, NOW, RULES);
    expect(decision.status).toBe('UPDATED_BY_USER');
    expect(p.actor).toEqual(record);
    expect(p.events[0]!.payload.actor).toEqual(record);
  });

  it('filing writes the created row and case.created at version 1', () => {
    const actor = REQUESTER_RECORD;
    const p = planFiling({ id: 'c1', number: '2025-000009', categoryKey: 'salary', teamKey: 'payroll', channel: 'portal' }, actor, NOW);
    expect(p.update).toBeNull();
    expect(p.history).toEqual([{ field: 'created', to: 'REGISTERED' }]);
    expect(p.events).toEqual([
      {
        type: 'case.created',
        caseId: 'c1',
        payload: {
          caseId: 'c1',
          number: '2025-000009',
          status: 'REGISTERED',
          version: 1,
          actor,
          at: NOW.toISOString(),
          categoryKey: 'salary',
          teamKey: 'payroll',
          channel: 'portal',
        },
      },
    ]);
  });

  it('anonymisation clears the people of the row, whatever role they filed with, and keeps a staff filer', () => {
    const base = {
      id: 'c1',
      number: 'n',
      version: 4,
      closedAt: EARLIER,
      retentionMonths: 24,
      concernedId: null,
      external: false,
      assigneeId: 'kari',
    };
    const byRequester = planAnonymisation({ ...base, requesterId: 'ola', filedById: 'ola', filedByRole: 'requester' }, NOW);
    expect(byRequester.update).toMatchObject({ requesterId: null, requesterName: null, filedById: '', subject: '[anonymised]', anonymisedAt: NOW });
    expect(byRequester.update).not.toHaveProperty('assigneeId');
    expect(byRequester.events[0]).toMatchObject({ type: 'case.anonymised', payload: { version: 5, status: 'CLOSED', retentionMonths: 24 } });
    // An operator who filed a case of their own, and was assigned it, is a person of the case.
    const ownCase = planAnonymisation({ ...base, requesterId: 'kari', filedById: 'kari', filedByRole: 'operator' }, NOW);
    expect(ownCase.update).toMatchObject({ filedById: '', assigneeId: null });
    // An operator who registered an external requester's case is staff: their id stays.
    const forExternal = planAnonymisation({ ...base, requesterId: null, filedById: 'kari', filedByRole: 'operator', external: true }, NOW);
    expect(forExternal.update!.filedById).toBe('kari');
  });

  it('the people of a case: requester, concerned employee, and a filer filing for themselves', () => {
    expect(peopleOf({ requesterId: 'leder', concernedId: 'emil', filedById: 'leder', external: false }).sort()).toEqual(['emil', 'leder']);
    expect(peopleOf({ requesterId: null, concernedId: null, filedById: 'kari', external: true })).toEqual([]);
  });

  it('an anonymised case refuses every command, and its timers are void', () => {
    const state = { ...stateIn('CLOSED'), anonymisedAt: NOW };
    const commands: Array<[Command, Actor]> = [
      [{ type: 'message', visibility: 'internal' }, OPERATOR],
      [{ type: 'message', visibility: 'public' }, REQUESTER],
      [{ type: 'transition', to: 'REOPENED_BY_USER' }, REQUESTER],
      [{ type: 'attach' }, OPERATOR],
      [{ type: 'edit' }, OPERATOR],
      [{ type: 'assign', assigneeId: 'kari' }, OPERATOR],
    ];
    for (const [cmd, actor] of commands) {
      expect(() => decide(state, cmd as Exclude<Command, { type: 'timer' }>, actor, { now: NOW, activeWindow: null })).toThrow(
        expect.objectContaining({ code: 'case-closed', extras: expect.objectContaining({ anonymised: true }) }),
      );
    }
    expect(
      decide(state, { type: 'timer', from: 'CLOSED', to: 'CLOSED' }, { id: 'system', as: 'system' }, { now: NOW, activeWindow: null }),
    ).toBeNull();
  });
});
