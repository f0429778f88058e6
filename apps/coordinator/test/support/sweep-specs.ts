// The spec factories live in libs/testing (shared by every test); kept here for the tests that import this path.
export { aSweepSpec, BIRTHS_SWEEP_YAML } from '@tuneforge/testing';
