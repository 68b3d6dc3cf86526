import { defineModule } from '../../common/module';
import { IdempotencyRecord } from './idempotency-record.entity';

/** Idempotency records of mutations (24 hours), used by the write pipeline. */
export const idempotencyModule = defineModule({ name: 'idempotency', entities: [IdempotencyRecord] });
