// One error handler: maps AppErrors, validation failures and anything unexpected to RFC 9457
// problem+json on the API and to GOV.UK error pages on pages.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type FieldError, TooManyRequestsError, UnauthenticatedError } from '../errors.ts'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  requestId: string
  errors?: FieldError[]
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

interface AjvIssue {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** Turns Ajv's findings into field errors that name the field, in words a person can act on. */
export function fieldErrorsFromValidation(issues: AjvIssue[], part: string): FieldError[] {
  return issues.map((issue) => {
    const base = part === 'body' ? '' : `/${part}`
    switch (issue.keyword) {
      case 'additionalProperties':
        return {
          field: `${base}${issue.instancePath}/${String(issue.params.additionalProperty)}`,
          message: `${String(issue.params.additionalProperty)} is not a recognised field`,
        }
      case 'required':
        return {
          field: `${base}${issue.instancePath}/${String(issue.params.missingProperty)}`,
          message: `${String(issue.params.missingProperty)} is required`,
        }
      case 'type':
        return {
          field: `${base}${issue.instancePath}`,
          message: `must be of type ${String(issue.params.type)}`,
        }
      default:
        return { field: `${base}${issue.instancePath}`, message: issue.message ?? 'is not valid' }
    }
  })
}

/**
 * Database refusals that reach the handler are answered plainly rather than as a 500: services
 * should have caught them first, so they are also logged (see the error handler).
 */
const DATABASE_PROBLEMS: Record<string, [number, string, string, string]> = {
  '23505': [409, 'conflict', 'Conflict', 'A record with the same identifying details already exists.'],
  '23503': [
    422,
    'business-rule',
    'The request breaks a business rule',
    'The request refers to a record that does not exist or is still in use.',
  ],
  '42501': [
    403,
    'forbidden',
    'You do not have permission',
    'You do not have permission to change this record.',
  ],
  '40001': [409, 'conflict', 'Conflict', 'Another change happened at the same time. Try again.'],
  '40P01': [409, 'conflict', 'Conflict', 'Another change happened at the same time. Try again.'],
}

export function problemFor(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url
  const requestId = String(request.id)
  if (error instanceof AppError) {
    return {
      type: `/problems/${error.slug}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      instance,
      requestId,
      ...(error.fieldErrors.length > 0 ? { errors: error.fieldErrors } : {}),
    }
  }
  const databaseCode = (error as { code?: unknown }).code
  if (typeof databaseCode === 'string' && DATABASE_PROBLEMS[databaseCode]) {
    const [status, slug, title, detail] = DATABASE_PROBLEMS[databaseCode]
    return { type: `/problems/${slug}`, title, status, detail, instance, requestId }
  }
  const fastifyError = error as FastifyError & { validation?: AjvIssue[]; validationContext?: string }
  if (fastifyError.validation) {
    const errors = fieldErrorsFromValidation(
      fastifyError.validation,
      fastifyError.validationContext ?? 'body',
    )
    return {
      type: '/problems/validation',
      title: 'Your request has errors',
      status: 400,
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      instance,
      requestId,
      errors,
    }
  }
  const status = fastifyError.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return {
      type: `/problems/http-${status}`,
      title: status === 415 ? 'Unsupported media type' : status === 413 ? 'Request too large' : 'Bad request',
      status,
      detail: fastifyError.message,
      instance,
      requestId,
    }
  }
  return {
    type: '/problems/internal',
    title: 'Something went wrong',
    status: 500,
    detail: `An unexpected error occurred. Quote request id ${requestId} if you contact support.`,
    instance,
    requestId,
  }
}

export function isApiRequest(request: FastifyRequest): boolean {
  const kind = request.routeOptions.config?.kind
  if (kind) return kind === 'api'
  return request.url.startsWith('/api/')
}

export function sendProblem(reply: FastifyReply, problem: Problem, error?: unknown): FastifyReply {
  if (error instanceof TooManyRequestsError) reply.header('retry-after', String(error.retryAfterSeconds))
  if (error instanceof UnauthenticatedError) reply.header('www-authenticate', 'Bearer realm="gss"')
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem)
}
