import { Type, type Static, type TSchema, type TUnsafe } from "typebox";

const components = new Map<string, TSchema>();

/**
 * Names a shape clients use by name (`User`, `Session`, `Error`): it is registered once, as a
 * Fastify shared schema that validation, serialization and the API document all resolve, and
 * appears once under `components.schemas`. Routes use the reference returned, typed as the shape.
 */
export function defineComponent<T extends TSchema>(name: string, schema: T): TUnsafe<Static<T>> {
  const named = { ...schema, $id: name };
  const existing = components.get(name);
  if (existing && JSON.stringify(existing) !== JSON.stringify(named)) throw new Error(`schema component "${name}" is defined twice with different shapes`);
  components.set(name, named);
  return Type.Unsafe<Static<T>>(Type.Ref(`${name}#`));
}

/** Every component defined so far, each with its name as `$id`; importing the server defines them all. */
export function listComponents(): TSchema[] {
  return [...components.values()];
}
