// Server-side SVG charts for programme oversight pages, rendered by Apache ECharts in SSR mode
// (no DOM, no JavaScript in the browser). Every chart function returns an SVG string that is safe
// to embed in a page (`{{ chart | safe }}`): it carries role="img", a <title> and a <desc> naming
// what it shows, and all text passes through ECharts' own escaping plus ours for the title.
//
// A chart never stands alone: each has a `...Table` companion built from the SAME input, in the
// shape govukTable() takes ({ caption, head, rows }), so the page shows the figures as a table
// beside the picture (WCAG 1.1.1; the table is the accessible and exact version).
import * as echarts from 'echarts'

/** GOV.UK Design System colours, in an order that stays distinguishable side by side. */
export const PALETTE = [
  '#1d70b8',
  '#f47738',
  '#00703c',
  '#4c2c92',
  '#d4351c',
  '#28a197',
  '#f499be',
  '#505a5f',
]

export interface ChartSize {
  width?: number
  height?: number
}

export interface Series {
  name: string
  values: Array<number | null>
}

export interface TableCell {
  text: string
  format?: 'numeric'
  classes?: string
}

export interface ChartTable {
  caption: string
  head: TableCell[]
  rows: TableCell[][]
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** Presentation attributes SVG accepts in place of the CSS properties ECharts writes in style="". */
const PRESENTATION_PROPERTIES = new Set([
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-size',
  'font-family',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
])

function fontShorthand(value: string): Array<[string, string]> {
  const full = /^(\S+)\s+(\S+)\s+(\d+(?:\.\d+)?px)\s+(.+)$/.exec(value.trim())
  if (full)
    return [
      ['font-style', full[1]!],
      ['font-weight', full[2]!],
      ['font-size', full[3]!],
      ['font-family', full[4]!],
    ]
  const short = /^(?:(\S+)\s+)?(\d+(?:\.\d+)?px)\s+(.+)$/.exec(value.trim())
  if (short)
    return [
      ...(short[1] ? [['font-weight', short[1]] as [string, string]] : []),
      ['font-size', short[2]!],
      ['font-family', short[3]!],
    ]
  return []
}

/**
 * Makes ECharts' SVG fit a strict Content Security Policy (no inline styles): drops the <style>
 * blocks (hover effects only; the charts are static) and turns each style="" attribute into the
 * equivalent presentation attributes, never duplicating an attribute the element already has.
 */
export function cspSafeSvg(svg: string): string {
  return svg
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, '')
    .replace(
      /<([a-zA-Z][\w:-]*)(\s[^>]*?)?\sstyle="([^"]*)"([^>]*)>/g,
      (_all, tag: string, before = '', style: string, after: string) => {
        const existing = new Set([...`${before} ${after}`.matchAll(/\s([\w:-]+)=/g)].map((m) => m[1]))
        const attrs: string[] = []
        for (const declaration of style.split(';')) {
          const colon = declaration.indexOf(':')
          if (colon < 0) continue
          const prop = declaration.slice(0, colon).trim().toLowerCase()
          const value = declaration.slice(colon + 1).trim()
          const pairs: Array<[string, string]> = prop === 'font' ? fontShorthand(value) : [[prop, value]]
          for (const [name, v] of pairs)
            if (PRESENTATION_PROPERTIES.has(name) && !existing.has(name) && v) {
              existing.add(name)
              attrs.push(`${name}="${v.replace(/"/g, '&quot;')}"`)
            }
        }
        return `<${tag}${before}${attrs.length ? ` ${attrs.join(' ')}` : ''}${after}>`
      },
    )
}

let chartCounter = 0

/**
 * Render an ECharts option to an SVG string on the server. Animation is off (SSR has no frames),
 * the instance is disposed, and the root <svg> is given role="img" with a <title> and <desc>.
 */
export function renderSvg(
  option: Record<string, unknown>,
  opts: { title: string; description: string } & ChartSize,
): string {
  const width = opts.width ?? 640
  const height = opts.height ?? 320
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: 'Arial, sans-serif', color: '#0b0c0c' },
      aria: { enabled: true, label: { description: opts.description } },
      ...option,
    })
    const svg = cspSafeSvg(chart.renderToSVGString())
    chartCounter = (chartCounter + 1) % 1_000_000
    const id = `gss-chart-${chartCounter}`
    return svg
      .replace(
        /^<svg /,
        `<svg role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false" class="gss-chart" `,
      )
      .replace(
        /(<svg [^>]*>)/,
        `$1<title id="${id}-title">${escapeXml(opts.title)}</title><desc id="${id}-desc">${escapeXml(opts.description)}</desc>`,
      )
  } finally {
    chart.dispose()
  }
}

function formatValue(value: number | null | undefined, unit?: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'no data'
  const text = Number.isInteger(value)
    ? value.toLocaleString('en-GB')
    : value.toLocaleString('en-GB', { maximumFractionDigits: 2 })
  if (!unit) return text
  if (unit === '£') return `£${text}`
  if (unit === '%') return `${text}%`
  return `${text} ${unit}`
}

function describeSeries(categories: string[], series: Series[], unit?: string): string {
  return series
    .map((s) => `${s.name}: ${categories.map((c, i) => `${c} ${formatValue(s.values[i], unit)}`).join(', ')}`)
    .join('. ')
}

export interface CategoryChartInput extends ChartSize {
  title: string
  categories: string[]
  series: Series[]
  /** '£', '%' or a word ('organisations'); shown on the axis and in the table. */
  unit?: string
  /** Horizontal bars (long category names). */
  horizontal?: boolean
}

function emptyOption(title: string) {
  return {
    title: { text: title, left: 0, textStyle: { fontSize: 16 } },
    graphic: [
      {
        type: 'text',
        left: 'center',
        top: 'middle',
        style: { text: 'No data to show', fontSize: 16, fill: '#505a5f' },
      },
    ],
  }
}

function categoryOption(
  input: CategoryChartInput,
  type: 'bar' | 'line',
  extra: { stack?: boolean; step?: boolean },
) {
  const valueAxis = {
    type: 'value',
    name: input.unit && input.unit !== '£' && input.unit !== '%' ? input.unit : undefined,
    axisLabel: {
      formatter: (v: number) =>
        formatValue(v, input.unit === '£' || input.unit === '%' ? input.unit : undefined),
    },
  }
  const categoryAxis = {
    type: 'category',
    data: input.categories,
    axisLabel: { interval: 0, hideOverlap: true },
  }
  return {
    title: { text: input.title, left: 0, textStyle: { fontSize: 16 } },
    legend: input.series.length > 1 ? { top: 34, left: 0 } : undefined,
    grid: { left: 8, right: 24, top: input.series.length > 1 ? 72 : 44, bottom: 8, containLabel: true },
    xAxis: input.horizontal ? valueAxis : categoryAxis,
    yAxis: input.horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series: input.series.map((s) => ({
      type,
      name: s.name,
      data: s.values,
      stack: extra.stack ? 'total' : undefined,
      step: extra.step ? 'end' : undefined,
      label:
        type === 'bar' && !extra.stack && input.series.length * input.categories.length <= 24
          ? {
              show: true,
              position: input.horizontal ? 'right' : 'top',
              formatter: (p: { value: number }) =>
                formatValue(p.value, input.unit === '£' || input.unit === '%' ? input.unit : undefined),
            }
          : undefined,
      symbolSize: type === 'line' ? 8 : undefined,
    })),
  }
}

function seriesChart(
  input: CategoryChartInput,
  type: 'bar' | 'line',
  extra: { stack?: boolean; step?: boolean } = {},
): string {
  const empty = input.categories.length === 0 || input.series.length === 0
  return renderSvg(empty ? emptyOption(input.title) : categoryOption(input, type, extra), {
    title: input.title,
    description: empty ? 'No data to show.' : describeSeries(input.categories, input.series, input.unit),
    width: input.width,
    height: input.height,
  })
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(input: CategoryChartInput): string {
  return seriesChart(input, 'bar')
}

/** Stacked bars: the series add up within each category. */
export function stackedBar(input: CategoryChartInput): string {
  return seriesChart(input, 'bar', { stack: true })
}

/** Lines over ordered categories (quarters, dates); `step` draws a step chart. */
export function lineChart(input: CategoryChartInput & { step?: boolean; yLabels?: string[] }): string {
  if (input.yLabels && input.categories.length > 0) {
    // An ordinal scale (e.g. the IPA ratings): values are indexes into yLabels.
    const base = categoryOption(input, 'line', { step: input.step })
    const labels = input.yLabels
    const option = {
      ...base,
      yAxis: { type: 'category', data: labels, boundaryGap: false, axisLabel: { interval: 0 } },
      series: input.series.map((s) => ({
        type: 'line',
        name: s.name,
        step: input.step ? 'end' : undefined,
        symbolSize: 8,
        data: s.values.map((v) => (v === null ? null : labels[v])),
      })),
    }
    return renderSvg(option, {
      title: input.title,
      description: input.series
        .map(
          (s) =>
            `${s.name}: ${input.categories.map((c, i) => `${c} ${s.values[i] === null ? 'no rating' : labels[s.values[i] as number]}`).join(', ')}`,
        )
        .join('. '),
      width: input.width,
      height: input.height,
    })
  }
  return seriesChart(input, 'line', { step: input.step })
}

/** The table that goes beside a bar, stacked bar or line chart. */
export function seriesTable(
  input: CategoryChartInput & { categoryHeading?: string; yLabels?: string[] },
): ChartTable {
  return {
    caption: input.title,
    head: [
      { text: input.categoryHeading ?? '' },
      ...input.series.map((s) => ({ text: s.name, format: 'numeric' as const })),
    ],
    rows: input.categories.map((c, i) => [
      { text: c },
      ...input.series.map((s) => {
        const v = s.values[i]
        const text = input.yLabels
          ? v === null || v === undefined
            ? 'no rating'
            : (input.yLabels[v] ?? String(v))
          : formatValue(v, input.unit)
        return { text, format: 'numeric' as const }
      }),
    ]),
  }
}

export interface HeatMapInput extends ChartSize {
  title: string
  /** Column labels, left to right (e.g. impact 1..5). */
  xLabels: string[]
  /** Row labels, bottom to top (e.g. likelihood 1..5). */
  yLabels: string[]
  xName: string
  yName: string
  /** counts[y][x]: the number in each cell. */
  counts: number[][]
  /** Optional cell colour by x,y index (defaults to a blue scale by count). */
  cellColour?: (x: number, y: number) => string
}

/** A grid of counts (e.g. the 5x5 risk matrix): each cell shows its number. */
export function heatMap(input: HeatMapInput): string {
  // ECharts' heatmap takes its colours from a visualMap: either a continuous scale on the count, or
  // (with cellColour) one piece per distinct colour, keyed by a fourth value on each cell.
  const colours: string[] = []
  const data: Array<[number, number, number, number]> = []
  let max = 0
  input.yLabels.forEach((_, y) => {
    input.xLabels.forEach((_, x) => {
      const v = input.counts[y]?.[x] ?? 0
      max = Math.max(max, v)
      let colourIndex = 0
      if (input.cellColour) {
        const colour = input.cellColour(x, y)
        colourIndex = colours.indexOf(colour)
        if (colourIndex < 0) colourIndex = colours.push(colour) - 1
      }
      data.push([x, y, v, colourIndex])
    })
  })
  const option = {
    title: { text: input.title, left: 0, textStyle: { fontSize: 16 } },
    // Room for the axis names (likelihood, impact) outside the labels.
    grid: { left: 64, right: 16, top: 44, bottom: 52 },
    xAxis: {
      type: 'category',
      data: input.xLabels,
      name: input.xName,
      nameLocation: 'middle',
      nameGap: 30,
      splitArea: { show: true },
    },
    yAxis: {
      type: 'category',
      data: input.yLabels,
      name: input.yName,
      nameLocation: 'middle',
      nameGap: 32,
      splitArea: { show: true },
    },
    visualMap: input.cellColour
      ? {
          type: 'piecewise',
          show: false,
          dimension: 3,
          pieces: colours.map((color, i) => ({ value: i, color })),
        }
      : {
          min: 0,
          max: Math.max(1, max),
          show: false,
          dimension: 2,
          inRange: { color: ['#f3f2f1', '#1d70b8'] },
        },
    series: [
      {
        type: 'heatmap',
        name: input.title,
        data,
        label: {
          show: true,
          fontSize: 14,
          color: '#0b0c0c',
          formatter: (p: { value: [number, number, number, number] }) => String(p.value[2]),
        },
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
      },
    ],
  }
  const described: string[] = []
  input.yLabels.forEach((yl, y) => {
    input.xLabels.forEach((xl, x) => {
      const v = input.counts[y]?.[x] ?? 0
      if (v > 0) described.push(`${input.yName} ${yl}, ${input.xName} ${xl}: ${v}`)
    })
  })
  return renderSvg(option, {
    title: input.title,
    description: described.length ? described.join('; ') : 'Every cell is empty.',
    width: input.width ?? 420,
    height: input.height ?? 360,
  })
}

/** The table beside a heat map: one row per y label (top first), one column per x label. */
export function heatMapTable(input: HeatMapInput): ChartTable {
  const rows: TableCell[][] = []
  for (let y = input.yLabels.length - 1; y >= 0; y--) {
    rows.push([
      { text: `${input.yName} ${input.yLabels[y]}` },
      ...input.xLabels.map((_, x) => ({
        text: String(input.counts[y]?.[x] ?? 0),
        format: 'numeric' as const,
      })),
    ])
  }
  return {
    caption: input.title,
    head: [
      { text: `${input.yName} \\ ${input.xName}` },
      ...input.xLabels.map((l) => ({ text: `${input.xName} ${l}`, format: 'numeric' as const })),
    ],
    rows,
  }
}

export interface TimelineItem {
  /** The row (lane) it sits in, e.g. a cluster. */
  lane: string
  label: string
  /** ISO dates (YYYY-MM-DD). */
  start: string
  end: string
  /** Drawn in the highlight colour (e.g. overlapping another item in the same window). */
  highlight?: boolean
}

export interface TimelineInput extends ChartSize {
  title: string
  items: TimelineItem[]
  /** Lanes in display order (defaults to first appearance). */
  lanes?: string[]
  highlightLabel?: string
}

const DAY = 86_400_000

function toTime(date: string): number {
  return Date.parse(`${date}T00:00:00Z`)
}

/** Bars on a date axis, one lane per row (procurement windows per cluster, plans). */
export function timeline(input: TimelineInput): string {
  const lanes = input.lanes ?? [...new Set(input.items.map((i) => i.lane))]
  if (input.items.length === 0 || lanes.length === 0) {
    return renderSvg(emptyOption(input.title), {
      title: input.title,
      description: 'No data to show.',
      width: input.width,
      height: input.height,
    })
  }
  const data = input.items.map((item) => ({
    name: item.label,
    value: [
      lanes.indexOf(item.lane),
      toTime(item.start),
      Math.max(toTime(item.end), toTime(item.start) + DAY),
      item.highlight ? 1 : 0,
    ],
    itemStyle: { color: item.highlight ? '#d4351c' : '#1d70b8' },
  }))
  const min = Math.min(...data.map((d) => d.value[1] as number))
  const max = Math.max(...data.map((d) => d.value[2] as number))
  const height = input.height ?? Math.max(200, 90 + lanes.length * 48)
  const option = {
    title: { text: input.title, left: 0, textStyle: { fontSize: 16 } },
    grid: { left: 8, right: 24, top: 44, bottom: 8, containLabel: true },
    xAxis: { type: 'time', min: min - 15 * DAY, max: max + 15 * DAY, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: lanes, inverse: true, axisLabel: { interval: 0 } },
    series: [
      {
        type: 'custom',
        name: input.title,
        encode: { x: [1, 2], y: 0 },
        data,
        renderItem: (
          params: { coordSys: { x: number; y: number; width: number; height: number } },
          api: {
            value: (i: number) => number
            coord: (v: number[]) => number[]
            size: (v: number[]) => number[]
          },
        ) => {
          const lane = api.value(0)
          const start = api.coord([api.value(1), lane])
          const end = api.coord([api.value(2), lane])
          const barHeight = (api.size([0, 1])[1] ?? 40) * 0.5
          const x = start[0] ?? 0
          const y = (start[1] ?? 0) - barHeight / 2
          const cs = params.coordSys
          const x0 = Math.max(x, cs.x)
          const x1 = Math.min(end[0] ?? 0, cs.x + cs.width)
          return {
            type: 'rect',
            shape: { x: x0, y, width: Math.max(2, x1 - x0), height: barHeight },
            style: { fill: api.value(3) ? '#d4351c' : '#1d70b8', stroke: '#ffffff' },
          }
        },
      },
    ],
  }
  const description = input.items
    .map(
      (i) =>
        `${i.lane}: ${i.label}, ${i.start} to ${i.end}${i.highlight ? ` (${input.highlightLabel ?? 'highlighted'})` : ''}`,
    )
    .join('; ')
  return renderSvg(option, { title: input.title, description, width: input.width ?? 720, height })
}

/** The table beside a timeline: one row per item. */
export function timelineTable(input: TimelineInput, laneHeading = 'Lane'): ChartTable {
  return {
    caption: input.title,
    head: [
      { text: laneHeading },
      { text: 'Item' },
      { text: 'Starts' },
      { text: 'Ends' },
      { text: input.highlightLabel ?? 'Highlighted' },
    ],
    rows: input.items.map((i) => [
      { text: i.lane },
      { text: i.label },
      { text: i.start },
      { text: i.end },
      { text: i.highlight ? 'Yes' : 'No' },
    ]),
  }
}
