/**
 * JSON Schema (draft 2020-12) of this package's part of a Connector's spec: everything but the keys
 * Identity Mesh owns (type, package, schedule, suspend, driftCheck). `imesh validate` reports a spec
 * that breaks it at its file and line, and fills in the defaults.
 */
export const specSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['objectTypes'],
  properties: {
    objectTypes: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['file'],
        properties: {
          file: { type: 'string', minLength: 1, description: 'The JSON file, relative to the working directory or a data root (--data-root).' },
          keyAttribute: { type: 'string', minLength: 1, default: 'id', description: 'The attribute that holds each object’s key (its external id).' },
          activeAttribute: { type: 'string', minLength: 1, default: 'active', description: 'The boolean attribute that holds the enabled state.' },
          pageSize: { type: 'integer', minimum: 1, maximum: 10000, default: 500, description: 'Objects per import batch.' },
        },
      },
    },
  },
};
