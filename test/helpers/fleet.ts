/**
 * Seeding moto from tests: the same code the demo uses (shared/local/seed-fleet.ts).
 */
export type { LaunchSpec, SeriesPoint, SeriesShape } from '../../shared/local/seed-fleet';
export {
  defaultImageId,
  gpuSeriesData,
  launchInstances,
  launchReservations,
  minutes,
  putGpuSeries,
  putMetricData,
  stopInstances,
} from '../../shared/local/seed-fleet';
