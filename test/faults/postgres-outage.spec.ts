import { describeScenarioGroup } from './support/describe-group';

describeScenarioGroup('faults: PostgreSQL stops mid-sweep (private cluster)', 'faults_postgres');
