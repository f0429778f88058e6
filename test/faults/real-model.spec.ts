import { describeScenarioGroup } from './support/describe-group';

describeScenarioGroup('faults with real LSTMs (native engine): no fault, and kill -9 of a worker mid-epoch', 'faults_real_model');
