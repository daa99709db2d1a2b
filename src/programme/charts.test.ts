import { describe, expect, it } from 'vitest'
import {
  barChart,
  cspSafeSvg,
  heatMap,
  heatMapTable,
  lineChart,
  seriesTable,
  stackedBar,
  timeline,
  timelineTable,
} from './charts.ts'

function wellFormed(svg: string) {
  expect(svg.startsWith('<svg ')).toBe(true)
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
  expect(svg).toContain('role="img"')
  expect(svg).toMatch(/<title id="[^"]+">/)
  expect(svg).toMatch(/<desc id="[^"]+">/)
  // No script, no event handlers, no inline style (the pages' Content Security Policy): safe to embed.
  expect(svg).not.toMatch(/<script|\son[a-z]+=/i)
  expect(svg).not.toMatch(/<style|\sstyle=/)
  // No element repeats an attribute.
  for (const tag of svg.match(/<[a-zA-Z][^>]*>/g) ?? []) {
    const names = [...tag.matchAll(/\s([\w:-]+)=/g)].map((m) => m[1])
    expect(new Set(names).size, tag).toBe(names.length)
  }
  // Balanced tags: every opened element is closed (a cheap well-formedness check).
  const opened = (svg.match(/<[a-zA-Z][^>]*[^/]>/g) ?? []).length
  const selfClosed = (svg.match(/<[a-zA-Z][^>]*\/>/g) ?? []).length
  const closed = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length
  expect(opened - selfClosed).toBeLessThanOrEqual(closed + selfClosed)
  expect(closed).toBeGreaterThan(0)
}

describe('programme charts', () => {
  it('turns inline styles into presentation attributes', () => {
    expect(
      cspSafeSvg(
        '<svg><style>.a:hover{fill:red}</style><text style="font: normal bold 12px Arial, sans-serif" fill="#000">x</text><rect style="fill:#fff;cursor:pointer" fill="#000"/></svg>',
      ),
    ).toBe(
      '<svg><text font-style="normal" font-weight="bold" font-size="12px" font-family="Arial, sans-serif" fill="#000">x</text><rect fill="#000"/></svg>',
    )
  })

  it('bar chart carries its title, categories, values and escapes text', () => {
    const svg = barChart({
      title: 'Invoices <processed> & paid',
      categories: ['Cluster A', 'Cluster B'],
      series: [{ name: 'Invoices', values: [1200, 345] }],
    })
    wellFormed(svg)
    expect(svg).toContain('Invoices &lt;processed&gt; &amp; paid')
    expect(svg).toContain('Cluster A')
    expect(svg).toContain('Cluster B')
    expect(svg).toContain('1,200')
    expect(svg).toContain('345')
    expect(svg).not.toContain('<processed>')
  })

  it('stacked bar and line charts show series names and categories', () => {
    const stacked = stackedBar({
      title: 'Spend',
      categories: ['2025', '2026'],
      series: [
        { name: 'Budget', values: [10, 20] },
        { name: 'Spend', values: [5, null] },
      ],
      unit: '£',
    })
    wellFormed(stacked)
    expect(stacked).toContain('Budget')
    expect(stacked).toContain('2026')
    const line = lineChart({
      title: 'Score',
      categories: ['2026-Q1', '2026-Q2'],
      series: [{ name: 'DQ', values: [50, 75] }],
      unit: '%',
    })
    wellFormed(line)
    expect(line).toContain('2026-Q2')
    expect(line).toContain('DQ: 2026-Q1 50%, 2026-Q2 75%')
  })

  it('ordinal step chart labels the scale', () => {
    const labels = ['Red', 'Amber/Red', 'Amber', 'Amber/Green', 'Green']
    const svg = lineChart({
      title: 'Confidence',
      categories: ['2026-01-01', '2026-04-01'],
      series: [{ name: 'North', values: [1, 4] }],
      yLabels: labels,
      step: true,
    })
    wellFormed(svg)
    expect(svg).toContain('Amber/Red')
    expect(svg).toContain('North: 2026-01-01 Amber/Red, 2026-04-01 Green')
    const table = seriesTable({
      title: 'Confidence',
      categories: ['2026-01-01', '2026-04-01'],
      series: [{ name: 'North', values: [1, 4] }],
      yLabels: labels,
    })
    expect(table.rows).toEqual([
      [{ text: '2026-01-01' }, { text: 'Amber/Red', format: 'numeric' }],
      [{ text: '2026-04-01' }, { text: 'Green', format: 'numeric' }],
    ])
  })

  it('heat map shows each count and the table has the same figures', () => {
    const counts = [
      [0, 0, 0, 0, 0],
      [0, 2, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 7, 0],
      [0, 0, 0, 0, 0],
    ]
    const input = {
      title: 'Residual',
      xLabels: ['1', '2', '3', '4', '5'],
      yLabels: ['1', '2', '3', '4', '5'],
      xName: 'Impact',
      yName: 'Likelihood',
      counts,
    }
    const svg = heatMap(input)
    wellFormed(svg)
    expect(svg).toContain('>7<')
    expect(svg).toContain('Likelihood 4, Impact 4: 7')
    const coloured = heatMap({
      ...input,
      cellColour: (x: number, y: number) => ((x + 1) * (y + 1) > 9 ? '#f6d7d2' : '#cce2d8'),
    })
    wellFormed(coloured)
    expect(coloured).toContain('#f6d7d2')
    expect(coloured).toContain('>7<')
    const table = heatMapTable(input)
    expect(table.rows[0]?.[0]?.text).toBe('Likelihood 5')
    expect(table.rows[1]?.[4]?.text).toBe('7')
    expect(table.rows[3]?.[2]?.text).toBe('2')
  })

  it('timeline shows lanes and highlights', () => {
    const input = {
      title: 'Procurements',
      highlightLabel: 'Overlaps',
      items: [
        { lane: 'North', label: 'Payroll', start: '2026-01-01', end: '2026-12-31', highlight: true },
        { lane: 'South', label: 'Ledger', start: '2026-06-01', end: '2027-03-31', highlight: true },
      ],
    }
    const svg = timeline(input)
    wellFormed(svg)
    expect(svg).toContain('North')
    expect(svg).toContain('South')
    expect(svg).toContain('#d4351c')
    expect(svg).toContain('Payroll, 2026-01-01 to 2026-12-31 (Overlaps)')
    expect(timelineTable(input, 'Cluster').rows[1]?.map((c) => c.text)).toEqual([
      'South',
      'Ledger',
      '2026-06-01',
      '2027-03-31',
      'Yes',
    ])
  })

  it('empty inputs render a valid chart saying there is no data', () => {
    for (const svg of [
      barChart({ title: 'Empty', categories: [], series: [] }),
      timeline({ title: 'Empty', items: [] }),
      lineChart({ title: 'Empty', categories: [], series: [] }),
    ]) {
      wellFormed(svg)
      expect(svg).toContain('No data to show')
    }
  })
})
