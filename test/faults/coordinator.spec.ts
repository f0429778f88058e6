import { describeScenarioGroup } from './support/describe-group';

describeScenarioGroup('faults: the coordinator killed during top-ups; trials stranded without a worker', 'faults_coordinator');
