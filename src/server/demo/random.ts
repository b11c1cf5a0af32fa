export { createRandom, type Random } from '../../shared/random.js';
