import type pg from 'pg';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import { peopleOf, planAnonymisation } from '../domain/retention';
import { inTransaction, pgQuery } from '../db/query';
import { cleanUpRemovedWords } from '../repositories/case-search';
import { writePlans } from '../repositories/plan-writer';
import { claimExpiredCases, queueWordsOf, scrubCasesParts } from '../repositories/retention-repository';

/**
 * One statement of the word-list cleanup checks at most this many queued words, for at most about
 * this long (a rare word takes well under a millisecond, a common one more): well inside the
 * statement timeout, and short enough not to hold the words it checks for long.
 */
const WORDS_PER_STATEMENT = 2000;
const STATEMENT_BUDGET_MS = 1000;

/**
 * Retention (DOMAIN.md "Privacy"): a case closed longer ago than its category's retention_months
 * loses its personal data: requester identity, message bodies, attachment contents, details,
 * subject and description. The case row, its status history and message/attachment counts stay,
 * so reports keep counting it. Each anonymisation records itself through its plan
 * (src/domain/retention.ts: anonymised_at, a history row by `system`, a `case.anonymised` event).
 *
 * Any number of instances may run at once: a batch locks its cases with SKIP LOCKED and skips
 * those already anonymised, so each case is anonymised once.
 *
 * The words an anonymisation removes leave the search word list after the run (cleanUpWords): the
 * anonymising statement only queues them, since checking each in it made a batch too slow to
 * finish under load (migration 20261202100600).
 */
export class RetentionService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'TIMEZONE' | 'RETENTION_BATCH_SIZE'>,
  ) {}

  /** Anonymises every closed case whose retention ended at `asOf` (now by default); answers how many. */
  async run(asOf: Date = this.clock.now(), signal?: AbortSignal): Promise<number> {
    let total = 0;
    while (!signal?.aborted) {
      const n = await inTransaction(this.pool, async (q) => {
        const due = await claimExpiredCases(q, asOf, this.config.TIMEZONE, this.config.RETENTION_BATCH_SIZE);
        // Their words first, in one order: the erasure below queues them case by case (queueWordsOf).
        await queueWordsOf(
          q,
          due.map((c) => c.id),
        );
        // The parts first: the plan's own history row and event are the system's and stay as written.
        await scrubCasesParts(
          q,
          due.map((c) => ({ id: c.id, people: peopleOf(c) })),
        );
        await writePlans(
          q,
          due.map((c) => planAnonymisation(c, asOf)),
        );
        return due.length;
      });
      total += n;
      if (n < this.config.RETENTION_BATCH_SIZE) break;
    }
    await this.cleanUpWords(signal);
    return total;
  }

  /**
   * Drops from the search word list the words no case holds any more of those that updates removed
   * (an anonymisation, an edited subject, a merge), until none is queued; answers how many were
   * checked. Instances may run it at once (SKIP LOCKED).
   */
  async cleanUpWords(signal?: AbortSignal): Promise<number> {
    const q = pgQuery(this.pool);
    let total = 0;
    while (!signal?.aborted) {
      const n = await cleanUpRemovedWords(q, WORDS_PER_STATEMENT, STATEMENT_BUDGET_MS);
      if (n === 0) break;
      total += n;
    }
    return total;
  }
}
