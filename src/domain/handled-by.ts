import { DomainError } from './errors';

/** What the filing rule needs to know about a category. */
export interface CategoryHandler {
  key: string;
  handledBy: string;
  guidanceNb: string | null;
  guidanceEn: string | null;
}

/**
 * Some forms go straight to the person's leader, not to the service centre (DOMAIN.md "Intake"):
 * filing one at the centre is refused with the category's guidance in both languages, so a
 * front end can send the person where the form is handled.
 */
export function refuseLeaderForm(c: CategoryHandler): void {
  if (c.handledBy !== 'leader') return;
  const en = c.guidanceEn ?? 'This form is handled by your leader, not by the service centre.';
  const nb = c.guidanceNb ?? 'Dette skjemaet behandles av din leder, ikke av Tjenestesenteret.';
  throw new DomainError('handled-by-leader', en, { categoryKey: c.key, handledBy: 'leader', guidance: { nb, en } });
}
