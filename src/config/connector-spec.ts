/**
 * Typed access to a connector's validated spec. `ConnectorModel.spec` is the spec as the schema
 * accepted it (defaults applied); a connector narrows it to its own schema-derived type here.
 */
import { ConfigError } from '../shared/errors.js';
import type { ConnectorSpec } from './generated/connector.js';
import type { ConnectorModel, ConnectorType } from './model.js';

export type ConnectorSpecOf<T extends ConnectorType> = Extract<ConnectorSpec, { type: T }>;

/** The spec of `model` as type `T`'s schema describes it; throws when the model is of another type. */
export function connectorSpec<T extends ConnectorType>(model: ConnectorModel, type: T): ConnectorSpecOf<T> {
  if (model.type !== type || model.spec.type !== type) {
    throw new ConfigError('ConnectorTypeMismatch', `${model.name}: expected a ${type} connector, not ${model.type}`);
  }
  const spec: unknown = model.spec;
  return spec as ConnectorSpecOf<T>;
}

export type * from './generated/connector.js';
