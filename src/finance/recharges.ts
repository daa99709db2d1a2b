// Recharges between organisations on the platform: the raising body's receivable and the
// counterparty's payable, with an agreement status, so intra-government balances can be matched
// and eliminated on consolidation.
import type { Tx } from '../platform/db/index.ts'
import { BusinessRuleError, NotFoundError, ValidationError } from '../platform/errors.ts'
import type { LedgerService } from './ledger.ts'
import type { RechargeStatus } from './tables.ts'

/** Where each side posts: receivable and income for the raiser; expense and payable for the other. */
export const RECHARGE_ACCOUNTS = {
  receivable: '13200000',
  income: '41200000',
  expense: '52700000',
  payable: '21200000',
} as const

/** The most recharges one list shows: far more than two organisations exchange in a year. */
export const RECHARGES_LISTED_MAX = 2_000

export interface RechargeView {
  id: string
  raisingOrg: { id: string; code: string; name: string }
  counterparty: { id: string; code: string; name: string }
  description: string
  amountPence: number
  raisedOn: string
  status: RechargeStatus
  disputeReason: string | null
  /** From the point of view of the organisation asking. */
  direction: 'receivable' | 'payable'
}

export class Recharges {
  readonly #ledger: LedgerService
  constructor(ledger: LedgerService) {
    this.#ledger = ledger
  }

  /** Raises a recharge from `orgId` to another organisation and posts the receivable. */
  async raise(
    trx: Tx,
    orgId: string,
    input: {
      counterpartyCode: string
      description: string
      amountPence: number
      date: string
      costCentreCode?: string
    },
    userId: string | null,
  ): Promise<string> {
    const counterparty = await trx
      .selectFrom('organisations')
      .select(['id', 'name'])
      .where('code', '=', input.counterpartyCode)
      .executeTakeFirst()
    if (!counterparty) {
      throw new ValidationError(`There is no organisation with the code ${input.counterpartyCode}`, [
        {
          field: '/counterpartyCode',
          message: `There is no organisation with the code ${input.counterpartyCode}`,
        },
      ])
    }
    if (counterparty.id === orgId) {
      throw new ValidationError('An organisation cannot recharge itself', [
        { field: '/counterpartyCode', message: 'Choose another organisation' },
      ])
    }
    if (!Number.isSafeInteger(input.amountPence) || input.amountPence <= 0) {
      throw new ValidationError('The amount must be more than zero', [
        { field: '/amountPence', message: 'The amount must be more than zero' },
      ])
    }
    const [journal] = await this.#ledger.postJournals(
      trx,
      orgId,
      [
        {
          date: input.date,
          description: `Recharge to ${counterparty.name}: ${input.description}`.slice(0, 500),
          source: 'receivables',
          lines: [
            { accountCode: RECHARGE_ACCOUNTS.receivable, amountMinor: input.amountPence },
            {
              accountCode: RECHARGE_ACCOUNTS.income,
              amountMinor: -input.amountPence,
              costCentreCode: input.costCentreCode,
            },
          ],
        },
      ],
      userId,
    )
    const row = await trx
      .insertInto('recharges')
      .values({
        org_id: orgId,
        counterparty_org_id: counterparty.id,
        description: input.description,
        amount_pence: input.amountPence,
        raised_on: input.date,
        raised_journal_id: journal!.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async #forCounterparty(trx: Tx, counterpartyOrgId: string, id: string) {
    const recharge = await trx
      .selectFrom('recharges')
      .selectAll()
      .where('id', '=', id)
      .where('counterparty_org_id', '=', counterpartyOrgId)
      .forUpdate()
      .executeTakeFirst()
    if (!recharge) throw new NotFoundError(`There is no recharge ${id} to this organisation`)
    if (recharge.status !== 'proposed')
      throw new BusinessRuleError(`This recharge has already been ${recharge.status}`)
    return recharge
  }

  /** The counterparty agrees: its payable is posted in its own ledger. */
  async agree(
    trx: Tx,
    counterpartyOrgId: string,
    id: string,
    date: string,
    userId: string | null,
  ): Promise<void> {
    const recharge = await this.#forCounterparty(trx, counterpartyOrgId, id)
    const raiser = await trx
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', recharge.org_id)
      .executeTakeFirstOrThrow()
    const [journal] = await this.#ledger.postJournals(
      trx,
      counterpartyOrgId,
      [
        {
          date,
          description: `Recharge from ${raiser.name}: ${recharge.description}`.slice(0, 500),
          source: 'payables',
          lines: [
            { accountCode: RECHARGE_ACCOUNTS.expense, amountMinor: recharge.amount_pence },
            { accountCode: RECHARGE_ACCOUNTS.payable, amountMinor: -recharge.amount_pence },
          ],
        },
      ],
      userId,
    )
    await trx
      .updateTable('recharges')
      .set({
        status: 'agreed',
        counterparty_journal_id: journal!.id,
        decided_at: new Date(),
        decided_by: userId,
      })
      .where('org_id', '=', recharge.org_id)
      .where('id', '=', id)
      .execute()
  }

  /** The counterparty disputes, with a reason; nothing is posted on its side. */
  async dispute(
    trx: Tx,
    counterpartyOrgId: string,
    id: string,
    reason: string,
    userId: string | null,
  ): Promise<void> {
    if (!reason.trim())
      throw new ValidationError('Give the reason for the dispute', [
        { field: '/reason', message: 'Give the reason for the dispute' },
      ])
    const recharge = await this.#forCounterparty(trx, counterpartyOrgId, id)
    await trx
      .updateTable('recharges')
      .set({ status: 'disputed', dispute_reason: reason.trim(), decided_at: new Date(), decided_by: userId })
      .where('org_id', '=', recharge.org_id)
      .where('id', '=', id)
      .execute()
  }

  /** One recharge the organisation raised or received. Errors: NotFoundError. */
  async get(trx: Tx, orgId: string, id: string): Promise<RechargeView> {
    const found = (await this.list(trx, orgId, false, id))[0]
    if (!found) throw new NotFoundError('There is no such recharge')
    return found
  }

  /** Every recharge the organisation raised or received; `unmatchedOnly` leaves out agreed ones. */
  async list(trx: Tx, orgId: string, unmatchedOnly = false, id?: string): Promise<RechargeView[]> {
    let query = trx
      .selectFrom('recharges as r')
      .innerJoin('organisations as a', 'a.id', 'r.org_id')
      .innerJoin('organisations as b', 'b.id', 'r.counterparty_org_id')
      .select([
        'r.id',
        'r.org_id',
        'a.code as raiser_code',
        'a.name as raiser_name',
        'r.counterparty_org_id',
        'b.code as counterparty_code',
        'b.name as counterparty_name',
        'r.description',
        'r.amount_pence',
        'r.raised_on',
        'r.status',
        'r.dispute_reason',
      ])
      .where((eb) => eb.or([eb('r.org_id', '=', orgId), eb('r.counterparty_org_id', '=', orgId)]))
    if (unmatchedOnly) query = query.where('r.status', '<>', 'agreed')
    if (id) query = query.where('r.id', '=', id)
    const rows = await query
      .orderBy('r.raised_on', 'desc')
      .orderBy('r.id')
      .limit(RECHARGES_LISTED_MAX)
      .execute()
    return rows.map((row) => ({
      id: row.id,
      raisingOrg: { id: row.org_id, code: row.raiser_code, name: row.raiser_name },
      counterparty: { id: row.counterparty_org_id, code: row.counterparty_code, name: row.counterparty_name },
      description: row.description,
      amountPence: row.amount_pence,
      raisedOn: row.raised_on,
      status: row.status,
      disputeReason: row.dispute_reason,
      direction: row.org_id === orgId ? 'receivable' : 'payable',
    }))
  }
}
