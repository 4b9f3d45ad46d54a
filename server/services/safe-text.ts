import { z } from 'zod';

/** Unpaired UTF-16 surrogates: not text; PostgreSQL refuses them in JSON and would store "�" in a column. */
export const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LONE_SURROGATE = new RegExp(LONE_SURROGATES.source);

/**
 * A text field as the database can keep it: a NUL character or an unpaired surrogate is refused with a
 * message naming the field. Every free-text field of an input schema starts from this; chain trim, min and
 * max after it.
 */
export const safeText = (field: string) =>
  z
    .string({ error: `${field} must be text` })
    .refine((s) => !s.includes('\u0000'), `${field} cannot contain NUL characters`)
    .refine(
      (s) => !LONE_SURROGATE.test(s),
      `${field} contains invalid Unicode (an unpaired surrogate); use plain text`,
    );
