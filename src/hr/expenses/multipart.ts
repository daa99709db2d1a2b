// A small, strict multipart/form-data parser for the receipt upload forms (no multipart library
// is installed). The whole body is read first, under a byte limit set on the route, then split on
// the boundary; every part must have a Content-Disposition with a name. Limits: parts, field
// length, header size. Files come back as buffers with the browser's file name and type (the
// type is not trusted: the expenses service checks the bytes).

export const MULTIPART_PARTS_MAX = 60
const FIELD_CHARS_MAX = 10_000
const HEADER_BYTES_MAX = 2_000

export interface UploadedFile {
  field: string
  fileName: string
  contentType: string
  content: Buffer
}

export interface MultipartBody {
  fields: Record<string, string>
  files: UploadedFile[]
}

export class MultipartError extends Error {}

/** The boundary from a Content-Type header, or undefined when it is not multipart/form-data. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType)
  return match ? (match[1] ?? match[2]) : undefined
}

function parseDisposition(header: string): { name?: string; fileName?: string } {
  const name = /;\s*name="([^"]*)"/i.exec(header)?.[1]
  const fileName = /;\s*filename="([^"]*)"/i.exec(header)?.[1]
  return { name, fileName }
}

export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const delimiter = Buffer.from(`--${boundary}`)
  const fields: Record<string, string> = {}
  const files: UploadedFile[] = []
  let position = body.indexOf(delimiter)
  if (position !== 0) throw new MultipartError('The form data does not start with its boundary')
  let parts = 0
  while (true) {
    position += delimiter.length
    // "--" after a delimiter ends the body.
    if (body.subarray(position, position + 2).toString('latin1') === '--') break
    if (body.subarray(position, position + 2).toString('latin1') !== '\r\n')
      throw new MultipartError('Malformed form data: expected a line break after the boundary')
    position += 2
    const headerEnd = body.indexOf('\r\n\r\n', position)
    if (headerEnd < 0 || headerEnd - position > HEADER_BYTES_MAX)
      throw new MultipartError('Malformed form data: part headers missing or too long')
    const headers = body.subarray(position, headerEnd).toString('utf8').split('\r\n')
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next < 0) throw new MultipartError('Malformed form data: a part has no end')
    const content = body.subarray(headerEnd + 4, next)
    if (++parts > MULTIPART_PARTS_MAX)
      throw new MultipartError(`At most ${MULTIPART_PARTS_MAX} form parts are accepted`)
    let disposition: { name?: string; fileName?: string } = {}
    let contentType = 'application/octet-stream'
    for (const header of headers) {
      const [key, ...rest] = header.split(':')
      const value = rest.join(':').trim()
      if (key?.toLowerCase() === 'content-disposition') disposition = parseDisposition(value)
      if (key?.toLowerCase() === 'content-type') contentType = value.toLowerCase()
    }
    if (!disposition.name) throw new MultipartError('Malformed form data: a part has no name')
    if (disposition.fileName !== undefined) {
      // An empty file input still sends a part with an empty file name: skip it.
      if (disposition.fileName !== '' || content.length > 0)
        files.push({
          field: disposition.name,
          fileName: disposition.fileName,
          contentType,
          content: Buffer.from(content),
        })
    } else {
      const text = content.toString('utf8')
      if (text.length > FIELD_CHARS_MAX) throw new MultipartError(`The field ${disposition.name} is too long`)
      fields[disposition.name] = text
    }
    position = next + 2
  }
  return { fields, files }
}
