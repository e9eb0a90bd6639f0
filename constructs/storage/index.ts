export * from './object-store';
export * from './s3-object-store';
export * from './s3a';
export * from './history-server';
export * from './credentials';
export * from './minio';
