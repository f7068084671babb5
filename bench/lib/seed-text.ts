/**
 * Norwegian subjects and descriptions for the seeded cases, so that the search benchmark (#16)
 * has realistic text with a few common and a few rare words. Deterministic: the same case gets
 * the same text on every run (pseudo-random numbers from `hashint4`, see db.ts `rnd`).
 */

/** The words the search benchmark asks for, and how often the seed uses them. */
export const SEARCH_WORDS = {
  /** In about one subject in seven and in many descriptions (as "feriepengene"). */
  common: 'feriepenger',
  /** In about one description in 50,000 (≈ 20 cases per million). */
  rare: 'etterbetaling',
};

/** One in RARE_EVERY cases carries the rare word. */
const RARE_EVERY = 50_000;

/** Topics of a subject, with weights (the common word first and heaviest). */
const TOPICS: Array<[string, number]> = [
  [SEARCH_WORDS.common, 15],
  ['lønnsslipp', 12],
  ['skattetrekk', 8],
  ['reiseregning', 10],
  ['timeliste', 8],
  ['sykepenger', 6],
  ['foreldrepermisjon', 5],
  ['permisjon uten lønn', 4],
  ['overtid', 8],
  ['arbeidsavtale', 6],
  ['stipend', 3],
  ['trekk i lønn etter streik', 3],
  ['refusjon av utlegg', 5],
  ['tilgang til portalen', 7],
];

const OPENERS = ['Spørsmål om', 'Feil i', 'Endring av', 'Mangler', 'Hjelp med', 'Purring:', 'Henvendelse om', 'Ang.'];

const SENTENCES = [
  'Jeg har ikke fått utbetalt feriepengene mine.',
  'Lønnsslippen for forrige måned ser feil ut.',
  'Kan dere sjekke skattetrekket mitt?',
  'Jeg sendte inn reiseregningen for tre uker siden og har ikke hørt noe.',
  'Timelisten min er ikke godkjent av leder ennå.',
  'Jeg er sykmeldt fra mandag og lurer på hva jeg må gjøre.',
  'Når blir overtiden for desember utbetalt?',
  'Arbeidsavtalen min må oppdateres etter ny stilling.',
  'Jeg skal ut i foreldrepermisjon i august.',
  'Hvordan søker jeg om permisjon uten lønn?',
  'Stipendet er ikke registrert i systemet.',
  'Takk for rask hjelp sist.',
  'Jeg fikk trekk i lønn etter streiken, stemmer det?',
  'Feriepengene ble beregnet av for lavt grunnlag.',
  'Jeg finner ikke skjemaet for refusjon av utlegg.',
  'Kan noen ringe meg tilbake?',
];

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlArray = (xs: string[]) => `(ARRAY[${xs.map(sqlText).join(', ')}])`;

/** Picks from a list by a pseudo-random number expression `r` in [0, 1). */
function pick(xs: string[], r: string): string {
  return `${sqlArray(xs)}[1 + floor(${r} * ${xs.length})::int]`;
}

/** A weighted pick: a CASE over cumulative weights. */
function pickWeighted(xs: Array<[string, number]>, r: string): string {
  const total = xs.reduce((a, [, w]) => a + w, 0);
  let upTo = 0;
  return `(CASE ${xs.map(([s, w]) => `WHEN ${r} < ${(upTo += w) / total} THEN ${sqlText(s)}`).join(' ')} ELSE ${sqlText(xs[0]![0])} END)`;
}

/** The subject: an opener, a topic and the category's Norwegian name. `rnd(salt)` gives a number in [0, 1). */
export function subjectSql(rnd: (salt: number) => string, categoryNameNb: string): string {
  return `${pick(OPENERS, rnd(11))} || ' ' || ${pickWeighted(TOPICS, rnd(12))} || ' (' || lower(${categoryNameNb}) || ')'`;
}

/**
 * The description: a greeting, two sentences, the rare word in one case of RARE_EVERY, the
 * employee number as callers write it, and a signature.
 */
export function descriptionSql(rnd: (salt: number) => string, employeeNumber: string, name: string): string {
  return (
    `'Hei! ' || ${pick(SENTENCES, rnd(13))} || ' ' || ${pick(SENTENCES, rnd(14))}` +
    ` || CASE WHEN floor(${rnd(15)} * ${RARE_EVERY}) = 0 THEN ' Gjelder ${SEARCH_WORDS.rare} av lønn for fjoråret.' ELSE '' END` +
    ` || ' Ansattnummer ' || ${employeeNumber} || '. Hilsen ' || ${name}`
  );
}
