// A purchase order as the supplier receives it: a PDF (pdfkit, standard fonts, no external files)
// and a UBL 2.1 Order (Peppol BIS Ordering 3 customisation). Pure: they take the order as read.
import PDFDocument from 'pdfkit'
import { formatGbp, toDecimal } from '../platform/money.ts'
import type { Order } from './orders.ts'

export interface Parties {
  buyer: { name: string; code: string }
  supplier: { name: string; companyNumber: string | null; vatNumber: string | null }
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** UN/ECE rec 20 unit codes for the units the forms offer; anything else is "one" (C62). */
const UNIT_CODES: Record<string, string> = {
  each: 'C62',
  hour: 'HUR',
  day: 'DAY',
  month: 'MON',
  box: 'XBX',
  licence: 'C62',
}

export function orderUbl(order: Order, parties: Parties): string {
  if (!order.orderNumber) throw new RangeError('Only an issued order has a UBL document')
  const money = (pence: number) => `currencyID="GBP">${toDecimal(pence)}`
  const lines = order.lines
    .map(
      (line) => `  <cac:OrderLine>
    <cac:LineItem>
      <cbc:ID>${line.lineNo}</cbc:ID>
      <cbc:Quantity unitCode="${UNIT_CODES[line.unit] ?? 'C62'}">${line.quantity}</cbc:Quantity>
      <cbc:LineExtensionAmount ${money(line.netPence)}</cbc:LineExtensionAmount>
      <cbc:AccountingCost>${escapeXml(`${line.accountCode}/${line.costCentreCode}`)}</cbc:AccountingCost>
      <cac:Price>
        <cbc:PriceAmount ${money(line.unitPricePence)}</cbc:PriceAmount>
      </cac:Price>
      <cac:Item>
        <cbc:Name>${escapeXml(line.description.slice(0, 200))}</cbc:Name>
        <cac:CommodityClassification>
          <cbc:ItemClassificationCode listID="CPV">${line.cpvCode.slice(0, 8)}</cbc:ItemClassificationCode>
        </cac:CommodityClassification>
        <cac:ClassifiedTaxCategory>
          <cbc:ID>${Number(line.vatRatePercent) > 0 ? 'S' : 'Z'}</cbc:ID>
          <cbc:Percent>${line.vatRatePercent}</cbc:Percent>
          <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
        </cac:ClassifiedTaxCategory>
      </cac:Item>
    </cac:LineItem>
  </cac:OrderLine>`,
    )
    .join('\n')
  const party = (name: string, id: string | null) => `<cac:Party>
      ${id ? `<cac:PartyIdentification><cbc:ID>${escapeXml(id)}</cbc:ID></cac:PartyIdentification>\n      ` : ''}<cac:PartyName><cbc:Name>${escapeXml(name)}</cbc:Name></cac:PartyName>
    </cac:Party>`
  return `<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:ordering:3</cbc:ProfileID>
  <cbc:ID>${escapeXml(order.orderNumber)}</cbc:ID>
  <cbc:IssueDate>${order.issuedOn ?? order.requestedAt.slice(0, 10)}</cbc:IssueDate>
  <cbc:OrderTypeCode>${order.version > 1 ? '230' : '220'}</cbc:OrderTypeCode>
  <cbc:Note>${escapeXml(`${order.title} (version ${order.version})`)}</cbc:Note>
  <cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode>
  ${order.status === 'cancelled' ? '<cbc:OrderResponseCode>1</cbc:OrderResponseCode>\n  ' : ''}<cac:BuyerCustomerParty>
    ${party(parties.buyer.name, parties.buyer.code)}
  </cac:BuyerCustomerParty>
  <cac:SellerSupplierParty>
    ${party(parties.supplier.name, parties.supplier.vatNumber ?? parties.supplier.companyNumber)}
  </cac:SellerSupplierParty>
  ${order.neededBy ? `<cac:Delivery><cac:RequestedDeliveryPeriod><cbc:EndDate>${order.neededBy}</cbc:EndDate></cac:RequestedDeliveryPeriod></cac:Delivery>\n  ` : ''}<cac:TaxTotal>
    <cbc:TaxAmount ${money(order.vatPence)}</cbc:TaxAmount>
  </cac:TaxTotal>
  <cac:AnticipatedMonetaryTotal>
    <cbc:LineExtensionAmount ${money(order.netPence)}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount ${money(order.netPence)}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount ${money(order.totalPence)}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount ${money(order.totalPence)}</cbc:PayableAmount>
  </cac:AnticipatedMonetaryTotal>
${lines}
</Order>
`
}

/** The order as a one-or-more page A4 PDF. */
export function orderPdf(order: Order, parties: Parties): Promise<Buffer> {
  if (!order.orderNumber) throw new RangeError('Only an issued order has a PDF')
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Purchase order ${order.orderNumber}`, Author: parties.buyer.name, Subject: order.title },
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.font('Helvetica-Bold').fontSize(20).text(`Purchase order ${order.orderNumber}`)
  doc.font('Helvetica').fontSize(10).moveDown(0.5)
  if (order.status === 'cancelled') doc.font('Helvetica-Bold').text('CANCELLED').font('Helvetica')
  doc.text(
    `Version ${order.version}   Issued ${order.issuedOn ?? '-'}   Requisition ${order.requisitionNumber}`,
  )
  doc.moveDown()
  doc.font('Helvetica-Bold').text('Buyer').font('Helvetica').text(parties.buyer.name)
  doc.moveDown(0.5)
  doc.font('Helvetica-Bold').text('Supplier').font('Helvetica').text(parties.supplier.name)
  if (parties.supplier.vatNumber) doc.text(`VAT number ${parties.supplier.vatNumber}`)
  if (parties.supplier.companyNumber) doc.text(`Companies House number ${parties.supplier.companyNumber}`)
  doc.moveDown()
  doc.font('Helvetica-Bold').text(order.title)
  if (order.neededBy) doc.font('Helvetica').text(`Needed by ${order.neededBy}`)
  doc.moveDown(0.5).font('Helvetica')
  const columns = [50, 80, 300, 360, 440]
  const header = ['Line', 'Description', 'Quantity', 'Unit price', 'Net']
  const row = (cells: string[], bold = false) => {
    const y = doc.y
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica')
    cells.forEach((cell, index) => {
      doc.text(cell, columns[index]!, y, { width: (columns[index + 1] ?? 545) - columns[index]! - 5 })
    })
    doc.moveDown(0.3)
    doc.x = 50
  }
  row(header, true)
  for (const line of order.lines)
    row([
      String(line.lineNo),
      `${line.description} (CPV ${line.cpvCode}; ${line.accountCode}/${line.costCentreCode})`,
      `${line.quantity} ${line.unit}`,
      formatGbp(line.unitPricePence),
      formatGbp(line.netPence),
    ])
  doc.moveDown()
  row(['', 'Net', '', '', formatGbp(order.netPence)])
  row(['', 'VAT', '', '', formatGbp(order.vatPence)])
  row(['', 'Total', '', '', formatGbp(order.totalPence)], true)
  doc.moveDown()
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(
      `Quote ${order.orderNumber} on every invoice: invoices without a purchase order are not paid (no PO, no pay).`,
      50,
    )
  doc.end()
  return done
}
