export { scoreImpostor, IMPOSTOR_THRESHOLD } from './score-impostor.js';
export type { ImpostorCandidate, ImpostorVerdict, OfficialIdentity } from './score-impostor.js';
export { foldConfusables } from './confusables.js';
export { editDistance } from './edit-distance.js';
