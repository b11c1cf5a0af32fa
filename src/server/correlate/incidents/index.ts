export { createIncidentDetector, restoreIncidentDetector, type IncidentDetector } from './incident-detector.js';
export { extractTerms } from './normalise-text.js';
export type {
  IncidentDetectorOptions,
  IncidentDetectorState,
  IncidentEvent,
  IncidentMessage,
  IncidentSnapshot,
  IncidentStatus,
} from './types.js';
