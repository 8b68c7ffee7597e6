export * from './http';
export * from './contract';
export * from './tcp-proxy';
export * from './smtp-receiver';
export * from './route-table';
export * from './fake-stripe';
