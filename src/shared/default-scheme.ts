/**
 * A bare host name (`contoso.okta.com`, as the Okta runbook writes `OrgDomain`; `dc01.company.com`, as
 * the connector catalogue writes an AD `host`) gets the given secure scheme; a value with a scheme is
 * kept as written, so plain http:// or ldap:// is only ever what the user wrote (and the connectors'
 * rules for it still apply).
 */
export function withDefaultScheme(value: string, scheme: 'https' | 'ldaps' | 'ldap'): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? value : `${scheme}://${value.trim()}`;
}
