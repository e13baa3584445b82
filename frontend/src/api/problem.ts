import type { components } from './schema';

export type Problem = components['schemas']['Problem'];

/** An error answer of the API (a problem+json document), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  constructor(status: number, problem: Problem | null, message?: string) {
    super(message ?? problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
  get type(): string | undefined {
    return this.problem?.type;
  }
}

export function isProblem(value: unknown): value is Problem {
  if (value == null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.status === 'number' && typeof v.title === 'string';
}

/** `{field: "message; message"}` from a problem's `errors` (empty when no field is at fault). */
export function fieldErrors(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!problem?.errors) return out;
  for (const [field, messages] of Object.entries(problem.errors)) {
    if (messages && messages.length > 0) out[field] = messages.join('; ');
  }
  return out;
}

/**
 * Splits field errors into those a form shows next to one of its `fields` and the rest, which
 * it shows at the top (so no message of the API is ever lost). A nested key such as
 * `price.amount` goes to the form field `price.amount` if there is one, else to `price`.
 */
export function splitFieldErrors(
  problem: Problem | null | undefined,
  fields: readonly string[],
): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const [key, message] of Object.entries(fieldErrors(problem))) {
    let target: string | undefined;
    for (let k = key; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '') {
      if (fields.includes(k)) {
        target = k;
        break;
      }
    }
    if (target) byField[target] = byField[target] ? `${byField[target]}; ${message}` : message;
    else other.push(`${key}: ${message}`);
  }
  return { byField, other };
}

/** The text to show for any error thrown by a query or mutation. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
