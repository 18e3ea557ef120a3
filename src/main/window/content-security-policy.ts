// The renderer's Content-Security-Policy. The page carries it in a meta tag, which is all that
// applies to a page loaded from file://. The main process also sends it as a response header for
// pages served over HTTP (the development server). Only the header can carry frame-ancestors,
// because browsers ignore that directive in a meta tag.

/** Directives in the order the meta tag of src/renderer/index.html lists them. */
export const PAGE_POLICY_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  // React sets style properties through the CSSOM, which CSP does not govern. 'unsafe-inline'
  // lets Vite's development server inject the style sheets it serves as <style> elements.
  ['style-src', "'self' 'unsafe-inline'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** Directives that work only in a response header. */
const HEADER_ONLY_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [['frame-ancestors', "'none'"]];

function serialize(directives: ReadonlyArray<readonly [string, string]>): string {
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}

/** The policy as the page's meta tag states it. */
export const PAGE_POLICY = serialize(PAGE_POLICY_DIRECTIVES);

/** The policy as the Content-Security-Policy response header sends it. */
export const HEADER_POLICY = serialize([...PAGE_POLICY_DIRECTIVES, ...HEADER_ONLY_DIRECTIVES]);

export type ResponseHeaders = Record<string, string[] | string>;

/**
 * Returns the response headers with the station's policy in place of any policy the server
 * sent. Header names are case-insensitive, so every spelling of an existing one is dropped.
 */
export function withContentSecurityPolicy(headers: ResponseHeaders | undefined): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') {
      result[name] = Array.isArray(value) ? value : [value];
    }
  }
  result['Content-Security-Policy'] = [HEADER_POLICY];
  return result;
}

/** Reads the policy of an HTML page's Content-Security-Policy meta tag, or undefined. */
export function readMetaPolicy(html: string): string | undefined {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  return match?.[1]?.trim().replace(/;\s*$/, '');
}
