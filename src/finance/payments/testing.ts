// Test support for payment files: the shared ISO 20022 test data (../shared/testdata/iso20022,
// read in place) and XSD validation with libxml2's xmllint. xmllint is a Debian package
// (libxml2-utils); without it the XSD tests are skipped with a warning, except on CI, where a
// missing xmllint fails the run rather than letting unvalidated files pass.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
export const ISO20022_DIR = path.resolve(repoRoot, '../shared/testdata/iso20022')
export const xsdPath = (file: string): string => path.join(ISO20022_DIR, 'xsd', file)

export const xmllintAvailable: boolean =
  spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0
export const xmllintRequired = Boolean(process.env.CI)

if (!xmllintAvailable && !xmllintRequired) {
  console.warn('xmllint is not installed (apt-get install libxml2-utils): XSD validation tests are skipped')
}

export type XsdResult = { readonly name: string; readonly valid: boolean; readonly errors: readonly string[] }

/** Validates documents against one XSD in a single xmllint run (the schema is compiled once). */
export function validateWithXsd(
  xsdFile: string,
  documents: readonly { name: string; xml: string }[],
): XsdResult[] {
  if (!xmllintAvailable) {
    throw new Error(
      'xmllint is not installed (Debian: apt-get install libxml2-utils); CI requires it for XSD validation',
    )
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'gss-xsd-'))
  try {
    const files = documents.map((document, index) => {
      const file = path.join(directory, `${index}.xml`)
      writeFileSync(file, document.xml)
      return file
    })
    const run = spawnSync('xmllint', ['--noout', '--schema', xsdFile, ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
    if (run.error) throw run.error
    const output = `${run.stdout}\n${run.stderr}`
    return documents.map((document, index) => {
      const file = files[index]!
      const errors = output.split('\n').filter((line) => line.startsWith(`${file}:`))
      const valid = output.includes(`${file} validates`)
      return { name: document.name, valid, errors }
    })
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

// A camt.053.001.08 statement writer for tests: the shared test data has the 001.08 schema but
// no 001.08 sample, so tests make statements with this, check them with xmllint, then parse them.

export type TestStatementEntry = {
  amount: string
  currency: string
  creditDebit: 'CRDT' | 'DBIT'
  bookingDate: string
  valueDate?: string
  status?: 'BOOK' | 'PDNG'
  bankReference?: string
  endToEndId?: string
  instructionId?: string
  counterpartyName?: string
  counterpartyIban?: string
  counterpartyOther?: string
  remittance?: string
}

export function camt053v08(statement: {
  messageId: string
  statementId: string
  iban: string
  currency: string
  opening: { amount: string; creditDebit: 'CRDT' | 'DBIT'; date: string }
  closing: { amount: string; creditDebit: 'CRDT' | 'DBIT'; date: string }
  entries: readonly TestStatementEntry[]
}): string {
  const escapeText = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;')
  const balance = (code: string, value: typeof statement.opening) => `
      <Bal>
        <Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>
        <Amt Ccy="${statement.currency}">${value.amount}</Amt>
        <CdtDbtInd>${value.creditDebit}</CdtDbtInd>
        <Dt><Dt>${value.date}</Dt></Dt>
      </Bal>`
  const entry = (item: TestStatementEntry) => {
    const side = item.creditDebit === 'DBIT' ? 'Cdtr' : 'Dbtr'
    const account = item.counterpartyIban
      ? `<${side}Acct><Id><IBAN>${item.counterpartyIban}</IBAN></Id></${side}Acct>`
      : item.counterpartyOther
        ? `<${side}Acct><Id><Othr><Id>${item.counterpartyOther}</Id></Othr></Id></${side}Acct>`
        : ''
    const party = item.counterpartyName
      ? `<${side}><Pty><Nm>${escapeText(item.counterpartyName)}</Nm></Pty></${side}>`
      : ''
    const references =
      item.instructionId || item.endToEndId
        ? `<Refs>${item.instructionId ? `<InstrId>${item.instructionId}</InstrId>` : ''}${item.endToEndId ? `<EndToEndId>${item.endToEndId}</EndToEndId>` : ''}</Refs>`
        : ''
    return `
      <Ntry>
        <Amt Ccy="${item.currency}">${item.amount}</Amt>
        <CdtDbtInd>${item.creditDebit}</CdtDbtInd>
        <Sts><Cd>${item.status ?? 'BOOK'}</Cd></Sts>
        <BookgDt><Dt>${item.bookingDate}</Dt></BookgDt>
        <ValDt><Dt>${item.valueDate ?? item.bookingDate}</Dt></ValDt>
        ${item.bankReference ? `<AcctSvcrRef>${item.bankReference}</AcctSvcrRef>` : ''}
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${item.creditDebit === 'DBIT' ? 'ICDT' : 'RCDT'}</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            ${references}
            <Amt Ccy="${item.currency}">${item.amount}</Amt>
            <CdtDbtInd>${item.creditDebit}</CdtDbtInd>
            ${party || account ? `<RltdPties>${party}${account}</RltdPties>` : ''}
            ${item.remittance ? `<RmtInf><Ustrd>${escapeText(item.remittance)}</Ustrd></RmtInf>` : ''}
          </TxDtls>
        </NtryDtls>
      </Ntry>`
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>${statement.messageId}</MsgId>
      <CreDtTm>2026-11-26T06:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>${statement.statementId}</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2026-11-26T06:00:00</CreDtTm>
      <Acct>
        <Id><IBAN>${statement.iban}</IBAN></Id>
        <Ccy>${statement.currency}</Ccy>
        <Ownr><Nm>Department for Example</Nm></Ownr>
      </Acct>${balance('OPBD', statement.opening)}${balance('CLBD', statement.closing)}${statement.entries.map(entry).join('')}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`
}
