/** The QoT engine's public API (see README.md): what ordering and the CLI use. */
export { planSpan, pathGsnr, spanInverseSnr, LineSystemState, DEFAULT_LINE_OPTIONS } from './line-system.js';
export type { QotSpanInput, SpanModel, AmplifierSite, LitChannel, LightpathInput, PathQot, LineSystemOptions, LineState, LitInterval } from './line-system.js';
export { placeRegenerators, placeRegeneratorsByInverseSnr } from './regenerators.js';
export type { RegenPlan } from './regenerators.js';
export { runTransmission } from './transmission.js';
export type { TransmissionResult, TransmissionOptions } from './transmission.js';
export { SpectralInformation } from './spectral-info.js';
export { gnNliW } from './nli.js';
export { propagatePath } from './path.js';
export type { PathResult, ChannelQuality } from './path.js';
