/**
 * floe/cdk: Floe's constructs for a CDK app of your own. `new Floe(this, 'Floe', props)`
 * deploys the whole system into any stack; FloeStack is the same in a stack of its own.
 * The handler code ships prebuilt in the package (dist/lambda), so no bundler is needed.
 */
export { Floe, FLOE_DEFAULTS, FUNCTION_DEFAULTS, METRICS_NAMESPACE, type FloeProps, type FunctionSettings } from './constructs/floe.js';
export { FloeStack, type FloeStackProps } from './floe-stack.js';
export { FloeFunction, FLOE_ARCHITECTURE, FLOE_RUNTIME, type FloeFunctionProps, type FloeLogLevel } from './constructs/floe-function.js';
export { FloeStorage } from './constructs/floe-storage.js';
export { FloeMonitoring } from './constructs/floe-monitoring.js';
export { FloeHousekeepingSchedule, type FloeHousekeepingScheduleProps } from './constructs/floe-housekeeping-schedule.js';
export {
  FloeGateway,
  GATEWAY_CDK_DEFAULTS,
  NLB_TLS_IDLE_TIMEOUT,
  type FloeGatewayOptions,
  type FloeGatewayProps,
  type GatewayTls,
} from './constructs/floe-gateway.js';
export { HANDLERS, URL_HANDLERS, type HandlerName, type UrlHandlerName } from './handlers.js';
