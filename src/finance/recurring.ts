// Recurring journals: monthly templates (rent, service charges, depreciation) posted on their day
// of the month. runDue() posts every instance due up to a date, once each.
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, ValidationError } from '../platform/errors.ts'
import type { JournalLineInput, LedgerService, PostedJournal } from './ledger.ts'

export interface RecurringJournalInput {
  description: string
  /** 1 to 28, so that every month has the day. */
  dayOfMonth: number
  startsOn: string
  endsOn?: string | undefined
  lines: JournalLineInput[]
}

/** The most instances one run will post for one template: a guard against a far-off date. */
const MAX_INSTANCES_PER_RUN = 120

/** The first date on or after `from` that falls on `day` of its month. */
export function firstRunOn(from: string, day: number): string {
  const [year, month, date] = from.split('-').map(Number) as [number, number, number]
  const candidate = new Date(Date.UTC(year, month - 1, day))
  if (date > day) candidate.setUTCMonth(candidate.getUTCMonth() + 1)
  return candidate.toISOString().slice(0, 10)
}

function nextMonth(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCMonth(date.getUTCMonth() + 1)
  return date.toISOString().slice(0, 10)
}

export class RecurringJournals {
  readonly #ledger: LedgerService
  constructor(ledger: LedgerService) {
    this.#ledger = ledger
  }

  async create(
    trx: Tx,
    orgId: string,
    input: RecurringJournalInput,
    createdBy: string | null,
  ): Promise<string> {
    const problems: Array<{ field: string; message: string }> = []
    if (!Number.isInteger(input.dayOfMonth) || input.dayOfMonth < 1 || input.dayOfMonth > 28) {
      problems.push({ field: '/dayOfMonth', message: 'Choose a day from 1 to 28, so every month has it' })
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.startsOn))
      problems.push({ field: '/startsOn', message: 'Enter a start date like 2026-04-01' })
    if (
      input.endsOn !== undefined &&
      (!/^\d{4}-\d{2}-\d{2}$/.test(input.endsOn) || input.endsOn < input.startsOn)
    ) {
      problems.push({ field: '/endsOn', message: 'The end date must be a date on or after the start date' })
    }
    const total = input.lines.reduce((sum, line) => sum + line.amountMinor, 0)
    if (input.lines.length < 2)
      problems.push({ field: '/lines', message: 'A journal needs at least two lines' })
    else if (total !== 0)
      problems.push({ field: '/lines', message: `The template does not balance: it is out by ${total}` })
    if (problems.length > 0) throw new ValidationError(problems[0]!.message, problems)
    const row = await trx
      .insertInto('recurring_journals')
      .values({
        org_id: orgId,
        description: input.description,
        day_of_month: input.dayOfMonth,
        starts_on: input.startsOn,
        ends_on: input.endsOn ?? null,
        next_run_on: firstRunOn(input.startsOn, input.dayOfMonth),
        lines: JSON.stringify(input.lines),
        created_by: createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  /**
   * Posts every instance due on or before `asOf`, oldest first, each as its own journal through
   * the ledger (so closed periods refuse them with the usual message). Templates are locked while
   * they run, and each instance is recorded once, so concurrent runs post nothing twice.
   */
  async runDue(trx: Tx, orgId: string, asOf: string, postedBy: string | null): Promise<PostedJournal[]> {
    const due = await trx
      .selectFrom('recurring_journals')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('active', '=', true)
      .where('next_run_on', '<=', asOf)
      .orderBy('id')
      .forUpdate()
      .execute()
    const posted: PostedJournal[] = []
    for (const template of due) {
      let runOn = template.next_run_on
      let count = 0
      while (runOn <= asOf && (template.ends_on === null || runOn <= template.ends_on)) {
        if (++count > MAX_INSTANCES_PER_RUN) {
          throw new BusinessRuleError(
            `Recurring journal "${template.description}" has more than ${MAX_INSTANCES_PER_RUN} instances due; run it in steps`,
          )
        }
        const [journal] = await this.#ledger.postJournals(
          trx,
          orgId,
          [
            {
              date: runOn,
              description: template.description,
              reference: `recurring:${template.id}:${runOn}`,
              source: 'recurring',
              lines: template.lines as JournalLineInput[],
            },
          ],
          postedBy,
        )
        await trx
          .insertInto('recurring_journal_runs')
          .values({ org_id: orgId, recurring_id: template.id, run_on: runOn, journal_id: journal!.id })
          .execute()
        posted.push(journal!)
        runOn = nextMonth(runOn)
      }
      const finished = template.ends_on !== null && runOn > template.ends_on
      await trx
        .updateTable('recurring_journals')
        .set({ next_run_on: runOn, active: !finished })
        .where('org_id', '=', orgId)
        .where('id', '=', template.id)
        .execute()
    }
    return posted
  }
}
