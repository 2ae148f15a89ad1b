/** The agent toolbox: confined file tools, search, and sandboxed commands. */
export {
  createToolbox,
  type Toolbox,
  type ToolboxOptions,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
} from './toolbox.js';
export {
  resolveInside,
  openInside,
  isWithin,
  type ResolveResult,
  type ResolveOptions,
  type PathRefusal,
} from './paths.js';
export { compileGlob, globToRegExp } from './glob.js';
export { TOOL_NAMES, READ_ONLY_TOOLS, type ToolName } from './schemas.js';
