/**
 * What a connector's object type can do as a projection target, as far as the config can tell: its
 * type's descriptor answers (src/connectors/<type>/<type>-descriptor.ts).
 */
import { descriptorOf } from '../connectors/registry.js';
import type { TargetTraits } from '../connectors/connector-descriptor.js';
import type { ConnectorSpec } from './generated/connector.js';

export type { TargetTraits } from '../connectors/connector-descriptor.js';

export function targetTraits(spec: ConnectorSpec, objectType: string): TargetTraits {
  return descriptorOf(spec.type).targetTraits(spec, objectType);
}
