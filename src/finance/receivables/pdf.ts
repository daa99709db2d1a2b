// A sales invoice or credit note as a PDF for people: the organisation's details, the customer,
// the lines, the VAT summary, the totals, the due date and how to pay. Standard PDF fonts only
// (Helvetica), so nothing is embedded and the file is small.
import PDFDocument from 'pdfkit'
import { formatGbp } from '../../platform/money.ts'
import type { Customer } from './customers.ts'
import type { SalesDocument } from './invoices.ts'
import type { SellerSettings } from './settings.ts'
import { VAT_RATES } from './vat.ts'

const MARGIN = 50
const PAGE_WIDTH = 595.28 // A4 in points
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

const longDate = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  })

const formatSortCode = (sortCode: string) => sortCode.replace(/^(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3')

/** Renders the document; resolves to the PDF's bytes. */
export function salesDocumentPdf(
  doc: SalesDocument,
  seller: SellerSettings,
  customer: Customer,
): Promise<Buffer> {
  const isInvoice = doc.kind === 'invoice'
  const title = `${isInvoice ? 'Invoice' : 'Credit note'} ${doc.number}`
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: {
      Title: title,
      Author: seller.legalName,
      Subject: `${title} to ${customer.name}`,
      Creator: 'GSS',
      // The issue date, not the moment of rendering: the same document renders the same.
      CreationDate: new Date(`${doc.issueDate}T00:00:00Z`),
    },
  })
  const chunks: Buffer[] = []
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)))
    pdf.on('error', reject)
  })

  // Seller, top left; document title, top right.
  const top = MARGIN
  pdf
    .font('Helvetica-Bold')
    .fontSize(14)
    .text(seller.legalName, MARGIN, top, { width: CONTENT_WIDTH / 2 })
  pdf.font('Helvetica').fontSize(9)
  for (const line of [
    seller.addressLine1,
    seller.addressLine2,
    seller.city,
    seller.postcode,
    `VAT number ${seller.vatNumber}`,
    seller.companyNumber ? `Company number ${seller.companyNumber}` : null,
    seller.contactEmail,
  ])
    if (line) pdf.text(line, { width: CONTENT_WIDTH / 2 })
  const sellerBottom = pdf.y
  pdf
    .font('Helvetica-Bold')
    .fontSize(20)
    .text(isInvoice ? 'INVOICE' : 'CREDIT NOTE', MARGIN + CONTENT_WIDTH / 2, top, {
      width: CONTENT_WIDTH / 2,
      align: 'right',
    })
  pdf.font('Helvetica').fontSize(10)
  const facts: Array<[string, string]> = [
    [isInvoice ? 'Invoice number' : 'Credit note number', doc.number],
    ['Date', longDate(doc.issueDate)],
    ...(isInvoice ? ([['Due date', longDate(doc.dueDate)]] as Array<[string, string]>) : []),
    ...(doc.creditedInvoice
      ? ([
          ['Credits invoice', `${doc.creditedInvoice.number} of ${longDate(doc.creditedInvoice.issueDate)}`],
        ] as Array<[string, string]>)
      : []),
    ['Your reference', doc.buyerReference],
  ]
  for (const [label, value] of facts)
    pdf.text(`${label}: ${value}`, MARGIN + CONTENT_WIDTH / 2, pdf.y, {
      width: CONTENT_WIDTH / 2,
      align: 'right',
    })

  // Customer.
  pdf.y = Math.max(sellerBottom, pdf.y) + 20
  pdf
    .font('Helvetica-Bold')
    .fontSize(10)
    .text(isInvoice ? 'Bill to' : 'Credit to', MARGIN)
  pdf.font('Helvetica').fontSize(10)
  for (const line of [
    customer.name,
    customer.addressLine1,
    customer.addressLine2,
    customer.city,
    customer.postcode,
    customer.countryCode === 'GB' ? null : customer.countryCode,
    customer.vatNumber ? `VAT number ${customer.vatNumber}` : null,
  ])
    if (line) pdf.text(line, MARGIN)
  if (doc.note) {
    pdf.moveDown()
    pdf.font('Helvetica-Oblique').text(doc.note, MARGIN, pdf.y, { width: CONTENT_WIDTH })
    pdf.font('Helvetica')
  }

  // Lines.
  pdf.moveDown(1.5)
  const columns = [
    { heading: 'Description', width: 205, align: 'left' as const },
    { heading: 'Quantity', width: 55, align: 'right' as const },
    { heading: 'Unit price', width: 70, align: 'right' as const },
    { heading: 'VAT', width: 75, align: 'right' as const },
    { heading: 'Net', width: 90, align: 'right' as const },
  ]
  const row = (cells: string[], bold = false) => {
    if (pdf.y > 760) pdf.addPage()
    const y = pdf.y
    let x = MARGIN
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9)
    let bottom = y
    cells.forEach((cell, index) => {
      const column = columns[index]!
      pdf.text(cell, x, y, { width: column.width - 6, align: column.align })
      bottom = Math.max(bottom, pdf.y)
      x += column.width
    })
    pdf.y = bottom + 4
  }
  const rule = () => {
    pdf
      .moveTo(MARGIN, pdf.y)
      .lineTo(MARGIN + CONTENT_WIDTH, pdf.y)
      .lineWidth(0.5)
      .stroke()
    pdf.y += 4
  }
  row(
    columns.map((c) => c.heading),
    true,
  )
  rule()
  for (const line of doc.lines)
    row([
      line.description,
      line.quantity,
      `£${line.unitPrice}`,
      VAT_RATES[line.vatRate].label,
      formatGbp(line.netPence),
    ])
  rule()

  // VAT summary and totals, right-aligned.
  const labelX = MARGIN + 205
  const pair = (label: string, value: string, bold = false) => {
    const y = pdf.y
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 11 : 9)
    pdf.text(label, labelX, y, { width: 200, align: 'right' })
    pdf.text(value, labelX + 200, y, { width: CONTENT_WIDTH - 205 - 206, align: 'right' })
    pdf.y = Math.max(pdf.y, y) + 2
  }
  pdf.moveDown(0.5)
  for (const vat of doc.vatBreakdown) {
    const label =
      vat.category === 'E'
        ? 'Exempt'
        : vat.category === 'Z'
          ? 'Zero-rated'
          : `VAT at ${vat.ratePercent}% on ${formatGbp(vat.taxablePence)}`
    pair(label, formatGbp(vat.vatPence))
  }
  pair('Total net', formatGbp(doc.netPence))
  pair('Total VAT', formatGbp(doc.vatPence))
  pair(isInvoice ? 'Total due' : 'Total credited', formatGbp(doc.grossPence), true)

  // How to pay.
  pdf.moveDown(2)
  if (isInvoice) {
    pdf.font('Helvetica-Bold').fontSize(10).text('How to pay', MARGIN, pdf.y)
    pdf.font('Helvetica').fontSize(9)
    for (const line of [
      `Please pay ${formatGbp(doc.grossPence)} by ${longDate(doc.dueDate)} by bank transfer to:`,
      `Account name: ${seller.bankAccountName}`,
      `Sort code: ${formatSortCode(seller.sortCode)}    Account number: ${seller.accountNumber}`,
      seller.iban ? `IBAN: ${seller.iban}` : null,
      `Payment reference: ${doc.number}`,
    ])
      if (line) pdf.text(line, MARGIN, pdf.y, { width: CONTENT_WIDTH })
  } else {
    pdf
      .font('Helvetica')
      .fontSize(9)
      .text(
        `This credit note reduces what you owe on invoice ${doc.creditedInvoice?.number ?? ''} by ${formatGbp(doc.grossPence)}.`,
        MARGIN,
        pdf.y,
        { width: CONTENT_WIDTH },
      )
  }
  pdf.end()
  return done
}
