// Plugins for Swagger UI. They run in the browser: Nest writes them into /docs/swagger-ui-init.js
// with Function#toString, so each must be self-contained (no imports, nothing from this module).

/** The parts of an Immutable.js parameter that the plugin reads. */
interface UiParameter {
  get(key: 'name' | 'in' | 'value'): unknown;
}
type PathMethod = [path: string, method: string];
interface UiSystem {
  specSelectors: {
    specJsonWithResolvedSubtrees(): { getIn(path: string[]): { toArray(): UiParameter[] } | undefined };
    /** The parameter with what the user typed (`value`), which Swagger UI keys by the parameter's hash. */
    parameterWithMetaByIdentity(pathMethod: PathMethod, param: UiParameter): UiParameter;
  };
  specActions: {
    changeParamByIdentity(pathMethod: PathMethod, param: UiParameter, value: string): void;
  };
}
type ValidateParams = (pathMethod: PathMethod, isOAS3?: boolean) => unknown;
type ExecuteRequest = (request: { pathName: string; method: string }) => unknown;
export interface SwaggerUiPlugin {
  statePlugins?: { spec?: { wrapActions?: Record<string, unknown> } };
}

/**
 * Idempotency-Key in "Try it out": left empty, the field gets a fresh random UUID when Execute is
 * pressed (before Swagger UI checks required fields), and is emptied again once the response is in,
 * so each Execute is a new operation. The key that was sent stays visible in the curl command; a key
 * the user typed is sent as typed and kept (to try a replay). A fixed example key instead made the
 * second manual payment of a session fail with 422 idempotency-key-reused.
 */
export function idempotencyKeyPlugin(): SwaggerUiPlugin {
  // "<method> <path>" → the key this plugin put in that operation's field.
  const filledIn = new Map<string, string>();
  // The operation's Idempotency-Key parameters, as declared (the identity Swagger UI keys values by).
  const keyFields = (system: UiSystem, [path, method]: PathMethod): UiParameter[] =>
    (
      system.specSelectors
        .specJsonWithResolvedSubtrees()
        .getIn(['paths', path, method, 'parameters'])
        ?.toArray() ?? []
    ).filter(
      (param) =>
        param.get('in') === 'header' && String(param.get('name')).toLowerCase() === 'idempotency-key',
    );
  const typed = (system: UiSystem, pathMethod: PathMethod, param: UiParameter): unknown =>
    system.specSelectors.parameterWithMetaByIdentity(pathMethod, param).get('value');
  // A UUID v4 from getRandomValues: crypto.randomUUID exists only on https or localhost pages.
  const freshKey = (): string => {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return {
    statePlugins: {
      spec: {
        wrapActions: {
          validateParams:
            (original: ValidateParams, system: UiSystem): ValidateParams =>
            (pathMethod, isOAS3) => {
              for (const field of keyFields(system, pathMethod)) {
                if (typed(system, pathMethod, field)) continue;
                const key = freshKey();
                filledIn.set(pathMethod.join(' '), key);
                system.specActions.changeParamByIdentity(pathMethod, field, key);
              }
              return original(pathMethod, isOAS3);
            },
          executeRequest:
            (original: ExecuteRequest, system: UiSystem): ExecuteRequest =>
            (request) => {
              const result = original(request);
              const pathMethod: PathMethod = [request.pathName, request.method];
              const key = filledIn.get(pathMethod.join(' '));
              if (key === undefined) return result;
              filledIn.delete(pathMethod.join(' '));
              const emptyField = () => {
                for (const field of keyFields(system, pathMethod)) {
                  if (typed(system, pathMethod, field) === key)
                    system.specActions.changeParamByIdentity(pathMethod, field, '');
                }
              };
              void Promise.resolve(result).then(emptyField, emptyField);
              return result;
            },
        },
      },
    },
  };
}

/**
 * Swagger UI's DownloadUrl plugin, which Nest's page installs and `swaggerOptions.plugins` would
 * otherwise replace.
 */
export function downloadUrlPlugin(system: unknown): unknown {
  const bundle = (
    globalThis as unknown as { SwaggerUIBundle: { plugins: Record<string, (s: unknown) => unknown> } }
  ).SwaggerUIBundle;
  return bundle.plugins.DownloadUrl(system);
}
