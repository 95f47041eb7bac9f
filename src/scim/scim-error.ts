/**
 * SCIM errors (RFC 7644 §3.12). A ScimError is the controller's HttpProblem with SCIM's `scimType`
 * keyword; `scimErrorBody` writes any HttpProblem the way a SCIM client reads it:
 * `{ schemas: [Error URN], status: "400", scimType?, detail }`, the status as a JSON string.
 */
import { HttpProblem, type ProblemCode } from '../shared/http-problem.js';
import { SCHEMA } from './urns.js';

/** RFC 7644 §3.12, Table 9. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

const CODE_OF_TYPE: Readonly<Record<ScimType, ProblemCode>> = {
  invalidFilter: 'InvalidFilter',
  tooMany: 'TooMany',
  uniqueness: 'Uniqueness',
  mutability: 'Mutability',
  invalidSyntax: 'InvalidSyntax',
  invalidPath: 'InvalidPath',
  noTarget: 'NoTarget',
  invalidValue: 'InvalidValue',
  invalidVers: 'InvalidVersion',
  sensitive: 'Sensitive',
};
const TYPE_OF_CODE: ReadonlyMap<ProblemCode, ScimType> = new Map(Object.entries(CODE_OF_TYPE).map(([type, code]) => [code, type as ScimType]));

const CODE_OF_STATUS: Readonly<Record<number, ProblemCode>> = { 400: 'BadBody', 401: 'Unauthenticated', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 413: 'BodyTooLarge' };

/** Whether a library's error keyword is one of RFC 7644's. */
export function isScimType(value: unknown): value is ScimType {
  return typeof value === 'string' && Object.hasOwn(CODE_OF_TYPE, value);
}

export class ScimError extends HttpProblem {
  constructor(status: number, detail: string, scimType?: ScimType) {
    super(status, scimType ? CODE_OF_TYPE[scimType] : (CODE_OF_STATUS[status] ?? 'Internal'), detail);
  }

  get scimType(): ScimType | undefined {
    return TYPE_OF_CODE.get(this.code);
  }
}

export function scimErrorBody(problem: HttpProblem): Record<string, unknown> {
  const scimType = TYPE_OF_CODE.get(problem.code);
  return { schemas: [SCHEMA.error], status: String(problem.status), ...(scimType ? { scimType } : {}), detail: problem.message };
}
