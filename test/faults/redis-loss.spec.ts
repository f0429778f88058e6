import { describeScenarioGroup } from './support/describe-group';

describeScenarioGroup('faults: Redis loses its data mid-sweep (private Redis)', 'faults_redis');
