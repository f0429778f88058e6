import { describeScenarioGroup } from './support/describe-group';

describeScenarioGroup('faults: SIGTERM while a dependency is unreachable', 'faults_shutdown');
