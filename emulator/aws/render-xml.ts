/**
 * A value the XML renderer understands: text, a nested element map, or a list rendered as
 * `<member>` children (the AWS Query protocol's list shape). `undefined` members are omitted.
 */
export type XmlValue = string | number | boolean | Date | XmlValue[] | XmlElements
/** Child elements in document order. */
export interface XmlElements {
  readonly [name: string]: XmlValue | undefined
}

/** XML namespace of each service's Query API responses. */
export const xmlNamespaces = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
} as const

/** Renders a successful response: `<{Action}Response><{Action}Result>…</…Result><ResponseMetadata>…`. */
export function renderSuccessResponse(params: {
  action: string
  namespace: string
  result: XmlElements | undefined
  requestId: string
}): string {
  const { action, namespace, result, requestId } = params
  const resultXml = result === undefined ? '' : element(`${action}Result`, result)
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${namespace}">` +
    resultXml +
    element('ResponseMetadata', { RequestId: requestId }) +
    `</${action}Response>\n`
  )
}

/** Renders AWS's Query error shape: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`. */
export function renderErrorResponse(params: {
  namespace: string
  type: 'Sender' | 'Receiver'
  code: string
  message: string
  requestId: string
}): string {
  const { namespace, type, code, message, requestId } = params
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${namespace}">` +
    element('Error', { Type: type, Code: code, Message: message }) +
    element('RequestId', requestId) +
    `</ErrorResponse>\n`
  )
}

function element(name: string, value: XmlValue): string {
  return `<${name}>${renderContent(value)}</${name}>`
}

function renderContent(value: XmlValue): string {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((item) => element('member', item)).join('')
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter((entry): entry is [string, XmlValue] => entry[1] !== undefined)
      .map(([name, child]) => element(name, child))
      .join('')
  }
  return escapeXml(String(value))
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}
