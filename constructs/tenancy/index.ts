export * from './spark-namespace';
