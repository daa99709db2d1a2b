import { describe, expect, test } from 'vitest'
import { MultipartError, multipartBoundary, parseMultipart } from './multipart.ts'

function body(boundary: string, parts: string[]) {
  return Buffer.from(
    `${parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('')}--${boundary}--\r\n`,
    'latin1',
  )
}

describe('multipart form data', () => {
  test('fields and files are separated, with file bytes intact', () => {
    const boundary = 'XyZ123'
    const parsed = parseMultipart(
      body(boundary, [
        'Content-Disposition: form-data; name="_csrf"\r\n\r\ntoken',
        'Content-Disposition: form-data; name="purpose"\r\n\r\nTrain to Leeds',
        'Content-Disposition: form-data; name="receipt-0"; filename="r.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\nbinary',
        'Content-Disposition: form-data; name="receipt-1"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n',
      ]),
      boundary,
    )
    expect(parsed.fields).toEqual({ _csrf: 'token', purpose: 'Train to Leeds' })
    expect(parsed.files).toHaveLength(1)
    expect(parsed.files[0]).toMatchObject({
      field: 'receipt-0',
      fileName: 'r.pdf',
      contentType: 'application/pdf',
    })
    expect(parsed.files[0]!.content.toString('latin1')).toBe('%PDF-1.4\r\nbinary')
  })
  test('the boundary comes from the content type', () => {
    expect(multipartBoundary('multipart/form-data; boundary=----abc')).toBe('----abc')
    expect(multipartBoundary('multipart/form-data; boundary="q r"')).toBe('q r')
    expect(multipartBoundary('application/json')).toBeUndefined()
  })
  test('malformed bodies are refused', () => {
    expect(() => parseMultipart(Buffer.from('nonsense'), 'b')).toThrow(MultipartError)
    expect(() =>
      parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nno end'), 'b'),
    ).toThrow(MultipartError)
  })
})
