/**
 * The Content-Security-Policy of a console page. Scripts run only with this response's nonce (Next.js puts
 * it on its own scripts, read from the request's CSP header; the root layout on the theme script), and
 * what they load ('strict-dynamic'). Styles allow 'unsafe-inline': server-rendered style attributes
 * (chart sizes, progress bars) cannot carry a nonce. Development adds 'unsafe-eval' for React's debugging.
 */
export function pageContentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
