// Schemas shared by every API route: they validate requests and document the API.
import { Type } from 'typebox'

export const FieldErrorSchema = Type.Object({ field: Type.String(), message: Type.String() })

/** RFC 9457 problem details, as every API error is returned. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { description: 'RFC 9457 problem details' },
)

export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Repeat a write safely: the first response is returned again.',
    }),
  ),
})
