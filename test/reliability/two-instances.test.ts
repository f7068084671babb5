import { twoInstancesSuite } from './suites/two-instances';

twoInstancesSuite({ waiting: 60, completed: 30, workers: 12 });
