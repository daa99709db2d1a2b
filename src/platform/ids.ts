import { createHash } from 'node:crypto'

/**
 * A name-based UUID (version 5 layout over SHA-1): the same name always gives the same id, so the
 * demo world is identical on every machine and tests can refer to it.
 */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha1').update(`gss:${name}`).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function orgId(code: string): string {
  return uuidFromName(`org:${code}`)
}

export function clusterId(code: string): string {
  return uuidFromName(`cluster:${code}`)
}
