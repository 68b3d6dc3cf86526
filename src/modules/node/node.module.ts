import { defineModule } from '../../common/module';
import { NodeResolver } from './node.resolver';

/** node(id:): dispatches to the Node types the modules register. */
export const nodeModule = defineModule({ name: 'node', resolvers: [NodeResolver] });
