import { ACCESS_POLICY, type AccessPolicy } from '@app/common';
import { INestApplication, RequestMethod, VERSION_NEUTRAL } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

// Nest's own metadata keys (@nestjs/common/constants), read off the decorated controllers.
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const VERSION_METADATA = '__version__';
const DEFAULT_VERSION = '1';

export interface RouteEntry {
  method: string;
  /** Full path with `:params`, e.g. `/v1/admin/users/:id`. */
  path: string;
  /** Where it is declared, for readable failures. */
  handler: string;
  policy: AccessPolicy | undefined;
}

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every route the running app serves, read from its controllers' metadata (not from a list kept by
 * hand), with the access policy each declares. Tests generate their cases from it, so a new route
 * is covered the moment it exists.
 */
export function routeTable(app: INestApplication): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller?.prototype) continue;
      const basePath = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      const version = Reflect.getMetadata(VERSION_METADATA, controller) as unknown;
      const versionPrefix =
        version === VERSION_NEUTRAL ? '' : `v${typeof version === 'string' ? version : DEFAULT_VERSION}`;
      const classPolicy = Reflect.getMetadata(ACCESS_POLICY, controller) as AccessPolicy | undefined;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const paths = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat();
        for (const path of paths) {
          routes.push({
            method: RequestMethod[method],
            path: join(versionPrefix, basePath, path),
            handler: `${controller.name}.${name}`,
            policy: (Reflect.getMetadata(ACCESS_POLICY, handler) as AccessPolicy | undefined) ?? classPolicy,
          });
        }
      }
    }
  }
  return routes;
}
