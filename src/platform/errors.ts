// Each failure a user can meet is its own class with a one-line "thrown when". One handler
// (http/problem.ts) maps them to HTTP statuses, GOV.UK error pages and RFC 9457 problem+json.

export interface FieldError {
  /** JSON pointer to the field in the request body or form, e.g. "/name" or "/lines/2/amount". */
  field: string
  message: string
}

export abstract class AppError extends Error {
  abstract readonly status: number
  /** Short, stable slug: becomes the problem type URI /problems/<slug>. */
  abstract readonly slug: string
  abstract readonly title: string
  readonly fieldErrors: FieldError[]
  constructor(message: string, fieldErrors: FieldError[] = []) {
    super(message)
    this.name = new.target.name
    this.fieldErrors = fieldErrors
  }
}

/** Thrown when a configuration setting is missing or wrong; start-up stops with its message. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Thrown when input fails validation; names each offending field. */
export class ValidationError extends AppError {
  readonly status = 400
  readonly slug = 'validation'
  readonly title = 'Your request has errors'
}

/** Thrown when no one is signed in or the credentials are wrong, expired or revoked. */
export class UnauthenticatedError extends AppError {
  readonly status = 401
  readonly slug = 'unauthenticated'
  readonly title = 'Sign in required'
}

/** Thrown when the signed-in user lacks the permission a route or action declares. */
export class ForbiddenError extends AppError {
  readonly status = 403
  readonly slug = 'forbidden'
  readonly title = 'You do not have permission'
}

/** Thrown when a record does not exist or is not visible to the caller (we never say which). */
export class NotFoundError extends AppError {
  readonly status = 404
  readonly slug = 'not-found'
  readonly title = 'Not found'
}

/** Thrown when a request conflicts with the current state (duplicate code, request in progress). */
export class ConflictError extends AppError {
  readonly status = 409
  readonly slug = 'conflict'
  readonly title = 'Conflict'
}

/** Thrown when an Idempotency-Key is reused with a different request body. */
export class IdempotencyMismatchError extends AppError {
  readonly status = 422
  readonly slug = 'idempotency-key-reused'
  readonly title = 'Idempotency-Key reused with a different request'
}

/** Thrown when a business rule refuses an otherwise well-formed request. */
export class BusinessRuleError extends AppError {
  readonly status = 422
  readonly slug = 'business-rule'
  readonly title = 'The request breaks a business rule'
}

/** Thrown when sign-in is locked out after repeated failures, or a client exceeds its rate. */
export class TooManyRequestsError extends AppError {
  readonly status = 429
  readonly slug = 'too-many-requests'
  readonly title = 'Too many requests'
  readonly retryAfterSeconds: number
  constructor(message: string, retryAfterSeconds: number) {
    super(message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Thrown when a form is posted without the session's CSRF token. */
export class CsrfError extends AppError {
  readonly status = 403
  readonly slug = 'csrf'
  readonly title = 'Your form has expired'
}

/** An invariant failed: a bug. It stops the operation and is logged; users see a generic 500. */
export class AssertionFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AssertionFailure'
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message)
}
