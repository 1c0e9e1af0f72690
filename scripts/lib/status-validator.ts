import { Ajv, type ValidateFunction } from 'ajv';
import schema from '../../templates/status.schema.json' with { type: 'json' };

let compiled: ValidateFunction | undefined;

/**
 * The validator for templates/status.schema.json. The bundled tool gets a validator that Ajv
 * generated at build time (build.mjs replaces this module), because compiling the schema at every
 * start costs more than the rest of a `baton verify` run; here it is compiled on first use.
 */
export function statusValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}
