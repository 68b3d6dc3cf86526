import { defineModule } from '../../common/module';
import { IdempotencyRecord } from './idempotency-record.entity';
import { startIdempotencyPurge } from './idempotency.service';

/** Idempotency records of mutations (24 hours), used by the write pipeline. */
export const idempotencyModule = defineModule({
  name: 'idempotency',
  entities: [IdempotencyRecord],
  // Expired records (24 h) are purged at start and then every hour.
  background: ({ em, logger }) => startIdempotencyPurge(em, logger),
});
