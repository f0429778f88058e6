import type { ValueTransformer } from 'typeorm';

/** pg returns bigint columns as strings; our seeds fit in a JS number. */
export const bigintAsNumber: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | null) => (value === null || value === undefined ? value : Number(value)),
};
