/**
 * `ms` as Temporal's Duration type sees it. `ms@3` ships types its `exports` map does not point
 * to, so under `moduleResolution: Bundler` it used to resolve to nothing (any); since the Markdown
 * renderer's dependencies pull in `@types/ms`, it would resolve to a template-literal type that
 * rejects the duration strings held in plain `string` constants. This keeps the old behaviour.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- exactly what an unresolved `ms` gave
export type StringValue = any;
declare function ms(value: StringValue, options?: { long?: boolean }): number;
declare function ms(value: number, options?: { long?: boolean }): string;
export default ms;
