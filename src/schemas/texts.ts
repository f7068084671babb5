import { Type } from 'typebox';

/** A text in Norwegian (Bokmål) and English: the service's shape for human texts (docs/reference-data.md "Languages"). */
export const LocalizedTextSchema = Type.Object(
  { nb: Type.String({ minLength: 1, maxLength: 4000 }), en: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false, title: 'LocalizedText', description: 'A text in Norwegian (nb) and English (en)' },
);

/** A short label (a name, a title) in nb and en. */
export const LocalizedLabelSchema = Type.Object(
  { nb: Type.String({ minLength: 1, maxLength: 200 }), en: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
