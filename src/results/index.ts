/** Chapter 5's result codes and the errors that carry them. */
export * from './codes.ts';
export * from './errors.ts';
