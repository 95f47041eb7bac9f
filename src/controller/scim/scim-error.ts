/** An answer the SCIM endpoint gives as a SCIM error body (RFC 7644 §3.12): status, scimType, detail. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: string,
  ) {
    super(detail);
  }
}
