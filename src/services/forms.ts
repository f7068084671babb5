import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export interface FormError {
  path: string;
  message: string;
}

/**
 * Validates a case's `details` against its category's form (JSON Schema, data edited by
 * admins). Compiled validators are cached per category version.
 */
export class FormValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, { stamp: number; fn: ValidateFunction }>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
  }

  /** Problems with a schema an admin submits as a form; empty when it compiles. */
  check(form: unknown): string[] {
    if (form === null || form === undefined) return [];
    if (typeof form !== 'object' || Array.isArray(form)) return ['form must be a JSON Schema object'];
    try {
      this.ajv.compile(form as object);
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  }

  /** Validates details; a category without a form accepts only an empty object. */
  validate(categoryKey: string, updatedAt: Date, form: unknown, details: Record<string, unknown>): FormError[] {
    if (form === null || form === undefined) {
      return Object.keys(details).length === 0 ? [] : [{ path: '', message: 'this category has no extra fields' }];
    }
    let entry = this.cache.get(categoryKey);
    if (!entry || entry.stamp !== updatedAt.getTime()) {
      entry = { stamp: updatedAt.getTime(), fn: this.ajv.compile(form as object) };
      this.cache.set(categoryKey, entry);
    }
    if (entry.fn(details)) return [];
    return (entry.fn.errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'invalid' }));
  }
}
