import { CaseStatus } from '../../src/generated/prisma/enums';
import { STATUSES } from '../../src/domain/statuses';

describe('one source for the statuses', () => {
  it('the Prisma enum lists exactly the domain statuses, in order', () => {
    expect(Object.values(CaseStatus)).toEqual([...STATUSES]);
  });
  // The migrations follow schema.prisma: test/integration/prisma-drift.test.ts.
});
