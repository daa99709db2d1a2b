// Generating returns from the platform's own data, over HTTP: the same generator as
// `gss programme generate` (returns/generate.ts). A programme manager generates for the
// organisations they manage (every one for a platform-wide manager); the generator itself reads
// every organisation's rows inside one transaction and writes only aggregates (decision 0501).
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Database } from '../platform/db/index.ts'
import { ForbiddenError, ValidationError } from '../platform/errors.ts'
import type { App } from '../platform/http/app.ts'
import { IdempotencyKeyHeader } from '../platform/http/schemas.ts'
import { formErrors } from '../platform/http/views.ts'
import { isQuarterCode, lastCompleteQuarter, quarter as quarterInfo } from './quarters.ts'
import { type GenerateResult, generateReturns } from './returns/generate.ts'

export const generatePaths = {
  page: '/programme/returns/generate',
  api: '/api/v1/programme/returns/generate',
}

const GenerateBody = Type.Object(
  {
    quarter: Type.String({ pattern: '^[0-9]{4}-Q[1-4]$', description: 'For example 2026-Q2' }),
    organisation: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{2,60}$' })),
  },
  { additionalProperties: false },
)

async function generate(
  db: Database,
  request: FastifyRequest,
  quarter: string,
  organisation: string | undefined,
): Promise<GenerateResult> {
  if (!isQuarterCode(quarter))
    throw new ValidationError('Choose a quarter', [
      { field: '/quarter', message: 'Enter a quarter like 2026-Q2' },
    ])
  if (quarterInfo(quarter).endsOn >= new Date().toISOString().slice(0, 10))
    throw new ValidationError('That quarter has not ended', [
      { field: '/quarter', message: `${quarter} has not ended yet: generate its return once it has` },
    ])
  const scope = request.tenant.programmeManage ?? []
  let orgIds: string[] | undefined
  if (organisation) {
    const org = await db.admin
      .selectFrom('organisations')
      .select('id')
      .where('code', '=', organisation)
      .executeTakeFirst()
    if (!org)
      throw new ValidationError('Unknown organisation', [
        { field: '/organisation', message: `There is no organisation ${organisation}` },
      ])
    if (scope !== 'all' && !scope.includes(org.id))
      throw new ForbiddenError(`You do not manage the programme figures of ${organisation}`)
    orgIds = [org.id]
  } else if (scope !== 'all') {
    // A cluster's manager generates the returns of the cluster's organisations that are on the platform.
    const onPlatform = await db.admin
      .selectFrom('organisations')
      .select('id')
      .where('id', 'in', scope.length > 0 ? [...scope] : ['00000000-0000-0000-0000-000000000000'])
      .where('onboarding_status', 'in', ['live', 'migrating'])
      .execute()
    orgIds = onPlatform.map((org) => org.id)
    if (orgIds.length === 0)
      throw new ForbiddenError('None of the organisations you manage is on the platform')
  }
  return generateReturns(db, quarter, { userId: request.principal!.userId, ...(orgIds ? { orgIds } : {}) })
}

const summary = (result: GenerateResult) => ({
  quarter: result.quarter,
  generated: result.returns.filter((item) => item.changed).length,
  unchanged: result.returns.filter((item) => !item.changed).length,
  invalid: result.returns.filter((item) => !item.valid).length,
  returns: result.returns.map((item) => ({
    organisation: item.orgCode,
    version: item.version,
    changed: item.changed,
    valid: item.valid,
    errors: item.errors,
  })),
  skipped: result.skipped.map((item) => ({ organisation: item.orgCode, reason: item.reason })),
})

export function programmeGenerateRoutes({ db }: { db: Database }) {
  return async (app: App) => {
    app.post(
      generatePaths.api,
      {
        config: { permission: 'programme:manage', kind: 'api' },
        schema: {
          tags: ['programme'],
          summary:
            'Generate the quarter’s returns from the platform’s own data, for every organisation on the platform you manage (or one)',
          headers: IdempotencyKeyHeader,
          body: GenerateBody,
        },
      },
      async (request, reply) => {
        const result = await generate(db, request, request.body.quarter, request.body.organisation)
        return reply.code(200).send(summary(result))
      },
    )

    const page = { permission: 'programme:manage' as const, kind: 'page' as const }
    app.get(generatePaths.page, { config: page, schema: { hide: true } }, async (_request, reply) =>
      reply.page('programme/views/returns/generate.njk', {
        pageTitle: 'Generate returns from the platform’s data',
        values: { quarter: lastCompleteQuarter() },
      }),
    )
    app.post(generatePaths.page, { config: page, schema: { hide: true } }, async (request, reply) => {
      const body = (request.body ?? {}) as { quarter?: string; organisation?: string }
      const values = { quarter: (body.quarter ?? '').trim(), organisation: (body.organisation ?? '').trim() }
      try {
        const result = await generate(db, request, values.quarter, values.organisation || undefined)
        return reply.page('programme/views/returns/generate.njk', {
          pageTitle: 'Returns generated',
          values,
          result: summary(result),
        })
      } catch (error) {
        if (error instanceof ValidationError)
          return reply.code(422).page('programme/views/returns/generate.njk', {
            pageTitle: 'Error: Generate returns from the platform’s data',
            values,
            errors: formErrors(error.fieldErrors),
          })
        throw error
      }
    })
  }
}
