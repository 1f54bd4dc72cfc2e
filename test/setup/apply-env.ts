/** Runs in each test worker before its test file: points the AWS clients at the run's storage. */
import { inject } from 'vitest';

Object.assign(process.env, inject('floeEnv'));
