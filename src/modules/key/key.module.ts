import { defineModule } from '../../common/module';
import { ApiKey } from './api-key.entity';
import { ViewerResolver } from './key.resolver';

/** API keys (managed by the command line) and the viewer query. */
export const keyModule = defineModule({ name: 'key', entities: [ApiKey], resolvers: [ViewerResolver] });
