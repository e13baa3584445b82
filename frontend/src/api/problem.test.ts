import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrors, isProblem, splitFieldErrors, type Problem } from './problem';

const problem: Problem = {
  type: 'urn:hangar:problem:validation',
  title: 'Invalid input',
  status: 422,
  detail: '3 fields are invalid.',
  errors: {
    email: ['must be a valid email address'],
    password: ['must be at least 10 characters', 'is too easy to guess'],
    'price.amount': ['must be at most 10000000000'],
    'attributes.year': ['must be 1903 to next year'],
  },
};

describe('problem documents', () => {
  it('recognises a problem body', () => {
    expect(isProblem(problem)).toBe(true);
    expect(isProblem({ message: 'x' })).toBe(false);
    expect(isProblem(null)).toBe(false);
  });

  it('joins the messages of each field', () => {
    expect(fieldErrors(problem).password).toBe('must be at least 10 characters; is too easy to guess');
    expect(fieldErrors(null)).toEqual({});
  });

  it('puts each message next to its field, nested keys on their parent, the rest apart', () => {
    const { byField, other } = splitFieldErrors(problem, ['email', 'password', 'price']);
    expect(byField.email).toBe('must be a valid email address');
    expect(byField.price).toBe('must be at most 10000000000');
    expect(other).toEqual(['attributes.year: must be 1903 to next year']);
  });

  it('prefers the exact nested field when the form has it', () => {
    const { byField } = splitFieldErrors(problem, ['price', 'price.amount']);
    expect(byField['price.amount']).toBeDefined();
    expect(byField.price).toBeUndefined();
  });

  it('ApiError carries status, type and the human detail', () => {
    const e = new ApiError(422, problem);
    expect(e.status).toBe(422);
    expect(e.type).toBe('urn:hangar:problem:validation');
    expect(e.message).toBe('3 fields are invalid.');
    expect(new ApiError(0, null, 'Failed to fetch').message).toBe('Failed to fetch');
  });
});
