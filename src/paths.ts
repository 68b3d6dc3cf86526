import path from 'node:path';

/** The project folder, whether running from src/ (tests) or dist/src/ (the built hub). */
export const PROJECT_ROOT = path.basename(path.resolve(__dirname, '..')) === 'dist' ? path.resolve(__dirname, '..', '..') : path.resolve(__dirname, '..');
