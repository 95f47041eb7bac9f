/** A SCIM error (RFC 7644 §3.12): the HTTP status, the `scimType` keyword and a `detail` for people. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }
}
